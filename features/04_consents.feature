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

  Rule: CON-3 A consent must be given explicitly

    @CON_3 @GEN_8 @negative
    Scenario: Declining the terms is not an acceptance
      When Alice declines the terms consent
      Then the consent answer is refused as invalid input
