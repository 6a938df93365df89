@consents
Feature: Mandatory consents
  A customer accepts three mandatory consents - terms, privacy and data processing - before
  activation (seed phase 4). An acceptance must be explicit.

  Background:
    Given Alice is a logged-in customer

  Rule: CON-1 and CON-2 Each mandatory consent can be accepted

    @CON_1 @CON_2 @smoke
    Scenario Outline: Alice accepts the <consent> consent
      When Alice accepts the <consent> consent
      Then the consent is recorded as accepted

      Examples: The three mandatory consents
        | consent         |
        | terms           |
        | privacy         |
        | data-processing |

    @CON_1 @CON_2 @GEN_8
    Scenario: The tenant admin may record Alice's terms consent for her
      When the tenant admin accepts the terms consent on Alice's behalf
      Then the consent is recorded as accepted, or refused leaving Alice free to accept it herself

  Rule: CON-3 A consent must be given explicitly

    @CON_3 @GEN_8 @negative
    Scenario: Declining the terms is not an acceptance
      When Alice declines the terms consent
      Then the consent answer is refused as invalid input
      And Alice can still accept the terms consent herself

    @CON_3 @GEN_8 @negative
    Scenario: An answer that does not say yes is not an acceptance
      When Alice answers the privacy consent without saying whether she accepts
      Then the consent answer is refused as invalid input
      And Alice can still accept the privacy consent herself

    @CON_3 @SM_2 @GEN_8 @negative
    Scenario: Declining an accepted consent does not withdraw it
      Given Alice has accepted the data-processing consent
      When Alice declines the data-processing consent
      Then the consent answer is refused as invalid input
      And Alice's data-processing consent is still accepted

    @CON_3
    Scenario: An acceptance that names no version should be refused
      When Alice accepts the terms consent without naming its version
      Then the unversioned acceptance should be refused as invalid input

  Rule: CON-4 Only the three mandatory consents can be accepted here

    @CON_4 @negative
    Scenario: A marketing consent is not one of the mandatory consents
      When Alice accepts a marketing consent
      Then the unknown consent is refused

  Rule: CON-5 Accepting a consent again changes nothing

    @CON_5 @SM_2
    Scenario: Alice accepts the privacy consent a second time
      Given Alice has accepted the privacy consent
      When Alice accepts the privacy consent a second time
      Then the existing acceptance stands

  Rule: CON-7 Without all three consents there is no activation

    @CON_7 @SM_1 @GEN_8 @negative
    Scenario: Alice cannot be activated before giving any consent
      Given Alice's verification has been approved
      When the tenant admin activates Alice
      Then the activation is refused
      And Alice's wallet is still not active
