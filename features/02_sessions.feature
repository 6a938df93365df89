@sessions
Feature: Customer sessions
  A registered customer opens a session with email and password (seed phase 2), before any
  verification, and only with her own credentials and the tenant's; logging out ends that session
  everywhere, and nobody else can end it.

  Background:
    Given Alice is a registered customer

  Rule: SES-1 and SES-2 A registered customer can log in before verification

    @SES_1 @SES_2 @SEC_1 @smoke
    Scenario: Alice logs in right after registration
      When Alice logs in with her password
      Then Alice receives a signed session token and a session id

  Rule: SES-3 Wrong credentials never open a session

    @SES_3 @GEN_8 @negative
    Scenario: A wrong password is refused
      When Alice logs in with a wrong password
      Then the log-in is refused as unauthenticated
      And Alice can still log in

    @SES_3 @GEN_8 @negative
    Scenario Outline: A log-in under ids that do not exist is refused
      When Alice logs in with her password under an unknown <ids>
      Then the log-in is refused as unauthenticated or unknown
      And Alice can still log in

      Examples: Unknown path ids
        | ids                     |
        | customer id             |
        | user id                 |
        | customer id and user id |

  Rule: SES-4 Credentials only open the session of the user they belong to

    @SES_4 @GEN_8 @negative
    Scenario: Alice's credentials do not open Bob's session
      Given Bob is a registered customer
      When Alice tries to log in as Bob with her own password
      Then the log-in is refused and no session is opened
      And Bob can still log in

  Rule: SES-5 A log-in needs the tenant's own credentials

    @SES_5 @GEN_8 @negative
    Scenario Outline: A log-in with a wrong tenant credential is refused
      When Alice logs in with her password but a wrong tenant <credential>
      Then the log-in is refused as not coming from the tenant
      And Alice can still log in

      Examples: One tenant credential wrong at a time
        | credential |
        | key        |
        | secret     |

  Rule: SES-6 Logging out ends the session everywhere

    @SES_6 @negative
    Scenario: The ended session's token is refused wherever Alice goes
      Given Alice is logged in
      When Alice logs out
      Then Alice's ended session is refused as unauthenticated on every endpoint she could use

  Rule: SES-7 Only the customer can end her own session

    @SES_7 @negative
    Scenario: Bob cannot end Alice's session
      Given Alice is logged in
      And Bob is a logged-in customer
      When Bob tries to end Alice's session
      Then every such attempt is refused as concerning a session that is not his
      And Alice's session is still open

  Rule: SES-8 Repeated wrong passwords lock the account for a while (SHOULD)

    @SES_8 @SES_3 @negative
    Scenario: After too many wrong passwords even the right one is refused for a while
      When Alice's password is guessed wrongly as many times as the lockout threshold
      Then none of the guesses opens a session
      And even Alice's right password is refused for a while

  Rule: SES-9 Where sessions can be refreshed, only the live session's refresh token works (MAY)

    @SES_9
    Scenario: A refreshed session token opens the session
      Given Alice is logged in
      When Alice refreshes her session
      Then Alice's refreshed token opens her session

    @SES_9 @negative
    Scenario: A refresh token that was never issued is refused
      Given Alice is logged in
      When Alice refreshes her session with a refresh token that is not hers
      Then Alice's refresh is refused as unauthenticated

    @SES_9 @negative
    Scenario: An ended session cannot be refreshed
      Given Alice is logged in
      When Alice logs out
      Then Alice's ended session can no longer be refreshed
