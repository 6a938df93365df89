@payments @needs_funding
Feature: Transfers
  An active customer pays a registered beneficiary in two phases, prepare and execute, under a
  payment consent (seed phase 7). Money never moves twice and never without the prerequisites.

  Background:
    Given Alice is an active customer with 500.00 EUR in her wallet
    And Alice has registered a beneficiary

  Rule: PAY-5 and PAY-6 Preparing a transfer prices it and holds the money

    @PAY_5 @PAY_6 @AMT_3 @smoke
    Scenario: Alice prepares a transfer of 100.00 EUR
      Given Alice holds a payment consent for that beneficiary
      When Alice prepares a transfer of 100.00 EUR to that beneficiary
      Then the order is priced at 100.00 EUR plus non-negative fees and is valid for a while
      And the order's total is held without touching her current balance

  Rule: PAY-10 An executed transfer settles exactly

    @PAY_10 @SM_6 @WAL_2
    Scenario: Alice executes her prepared transfer
      Given Alice holds a payment consent for that beneficiary
      And Alice has prepared a transfer of 100.00 EUR to that beneficiary
      When Alice executes the prepared transfer
      Then the transfer completes and her balance drops by exactly the order total

  Rule: PAY-4 A prepared order executes at most once

    @PAY_4 @SM_2
    Scenario: Executing the same order a second time moves no money
      Given Alice holds a payment consent for that beneficiary
      And Alice has executed a transfer of 100.00 EUR to that beneficiary
      When Alice executes the same prepared transfer a second time
      Then the second execution is refused or replays the first
      And the money has moved only once

  Rule: PAY-2 A transfer needs a payment consent

    @PAY_2 @GEN_8 @negative
    Scenario: Alice cannot transfer without a payment consent
      When Alice tries to transfer 100.00 EUR to that beneficiary without a payment consent
      Then the transfer does not complete
      And no money has moved

  Rule: PAY-3 A transfer goes only to a registered beneficiary

    @PAY_3 @GEN_8 @negative
    Scenario: Alice cannot pay an IBAN she has not registered
      Given Alice holds a payment consent for that beneficiary
      When Alice prepares a transfer of 100.00 EUR to an IBAN she has not registered
      Then the order is refused as having no registered beneficiary
      And no money has moved
