@sessions
Feature: Customer sessions
  A registered customer opens a session with email and password (seed phase 2), before any
  verification, and logging out ends that session everywhere.

  Background:
    Given Alice is a registered customer

  Rule: SES-1 and SES-2 A registered customer can log in before verification

    @SES_1 @SES_2 @SEC_1 @smoke
    Scenario: Alice logs in right after registration
      When Alice logs in with her password
      Then Alice receives a signed session token and a session id

  Rule: SES-3 Wrong credentials never open a session

    @SES_3 @negative
    Scenario: A wrong password is refused
      When Alice logs in with a wrong password
      Then the log-in is refused as unauthenticated

  Rule: SES-6 Logging out ends the session everywhere

    @SES_6 @negative
    Scenario: The ended session's token is refused wherever Alice goes
      Given Alice is logged in
      When Alice logs out
      Then Alice's ended session is refused as unauthenticated on every endpoint she could use
