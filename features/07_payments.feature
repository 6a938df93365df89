@payments
Feature: Transfers
  An active customer pays a registered beneficiary in two phases, prepare and execute, under a
  payment consent (seed phase 7). Money never moves twice and never without the prerequisites.

  Background:
    Given Alice is an active customer
    And Alice has registered a beneficiary

  Rule: PAY-5 and PAY-6 Preparing a transfer prices it and holds the money

    @PAY_5 @PAY_6 @AMT_3 @SM_6 @smoke @needs_funding
    Scenario: Alice prepares a transfer of 100.00 EUR
      Given Alice has 500.00 EUR in her wallet and a payment consent for that beneficiary
      When Alice prepares a transfer of 100.00 EUR to that beneficiary
      Then the order is priced at 100.00 EUR plus non-negative fees and is valid for a while
      And the order's total is held without touching her current balance

  Rule: PAY-6 Two orders cannot spend the same money

    @PAY_6 @WAL_2 @needs_funding @negative
    Scenario: Of two transfers of 70 % of Alice's money at most one completes
      Given Alice has 500.00 EUR in her wallet and a payment consent for that beneficiary
      When Alice prepares and executes two transfers of 350.00 EUR each to that beneficiary
      Then at most one of the two transfers completes
      And her balances never went below zero

  Rule: PAY-10 An executed transfer settles exactly

    @PAY_10 @SM_6 @WAL_2 @needs_funding
    Scenario: Alice executes her prepared transfer
      Given Alice has 500.00 EUR in her wallet and a payment consent for that beneficiary
      And Alice has prepared a transfer of 100.00 EUR to that beneficiary
      When Alice executes the prepared transfer
      Then the transfer completes and her balance drops by exactly the order total

  Rule: PAY-4 A prepared order executes at most once

    @PAY_4 @SM_2 @needs_funding
    Scenario: Executing the same order a second time moves no money
      Given Alice has 500.00 EUR in her wallet and a payment consent for that beneficiary
      And Alice has executed a transfer of 100.00 EUR to that beneficiary
      When Alice executes the same prepared transfer a second time
      Then the second execution is refused or replays the first
      And the money has moved only once

    @PAY_4 @SM_2 @needs_funding @concurrency
    Scenario: Executing the same order several times at the same moment moves the money once
      Given Alice has 500.00 EUR in her wallet and a payment consent for that beneficiary
      And Alice has prepared a transfer of 100.00 EUR to that beneficiary
      When Alice executes the prepared transfer several times at the same moment
      Then at most one execution succeeds unless the others replay it, and the money moves once

  Rule: PAY-2 A transfer needs a payment consent

    @PAY_2 @GEN_8 @needs_funding @negative
    Scenario: Alice cannot transfer without a payment consent
      Given Alice has 500.00 EUR in her wallet
      When Alice tries to transfer 100.00 EUR to that beneficiary without a payment consent
      Then the transfer does not complete
      And no money has moved

  Rule: PAY-3 A transfer goes only to a registered beneficiary

    @PAY_3 @GEN_8 @needs_funding @negative
    Scenario: Alice cannot pay an IBAN she has not registered
      Given Alice has 500.00 EUR in her wallet and a payment consent for that beneficiary
      When Alice prepares a transfer of 100.00 EUR to an IBAN she has not registered
      Then the order is refused as having no registered beneficiary
      And no money has moved

  Rule: PAY-8 A transfer cannot spend more than is available

    @PAY_8 @GEN_8 @negative
    Scenario: Alice cannot transfer more than she has
      Given Alice has up to 50.00 EUR in her wallet
      And Alice holds a payment consent for that beneficiary
      When Alice tries to transfer 100.00 EUR to that beneficiary
      Then the transfer is refused for insufficient funds
      And no money has moved

  Rule: PAY-9 A transfer cannot exceed the limit the wallet shows

    @PAY_9 @WAL_5 @GEN_8 @needs_funding @negative
    Scenario: Alice cannot transfer more than her per-transaction limit
      Given Alice has enough money and consent to go beyond her per-transaction limit
      When Alice tries to transfer just over her per-transaction limit to that beneficiary
      Then the transfer is refused as over the limit
      And no money has moved

  Rule: PAY-11 A transfer order is validated

    @PAY_11 @AMT_1 @GEN_8 @negative
    Scenario Outline: Alice cannot prepare a malformed transfer
      Given Alice has up to 50.00 EUR in her wallet
      And Alice holds a payment consent for that beneficiary
      When Alice prepares a transfer to that beneficiary with <defect>
      Then the order is refused as invalid input
      And no money has moved

      Examples: Invalid amount, currency or source
        | defect                                       |
        | an amount of zero                            |
        | a negative amount                            |
        | an amount that is not a number               |
        | no amount                                    |
        | a currency that differs from the amount's    |
        | a currency other than her wallet's           |
        | a source wallet other than the one she pays from |

  Rule: PAY-12 Only the owner moves money from a wallet

    @PAY_12 @SEC_4 @GEN_8 @negative
    Scenario: Bob cannot prepare a transfer from Alice's wallet
      Given Alice holds a payment consent for that beneficiary
      And Bob is an active customer
      When Bob tries to prepare a transfer of 10.00 EUR from Alice's wallet to her beneficiary
      Then Bob is refused as touching a wallet that is not his
      And no money has moved

    @PAY_12 @SEC_4 @GEN_8 @needs_funding @negative
    Scenario: Bob cannot execute Alice's prepared transfer on her wallet
      Given Alice has prepared a transfer of 100.00 EUR from a wallet holding 500.00 EUR
      And Bob is an active customer
      When Bob tries to execute Alice's prepared transfer on her wallet
      Then Bob is refused as touching a wallet that is not his
      And no money has moved

    @PAY_12 @SEC_4 @GEN_8 @needs_funding @negative
    Scenario: Bob cannot execute Alice's prepared transfer through his own wallet
      Given Alice has prepared a transfer of 100.00 EUR from a wallet holding 500.00 EUR
      And Bob is an active customer
      When Bob tries to execute Alice's prepared transfer through his own wallet
      Then Bob is refused as naming an order that is not his
      And no money has moved

    @PAY_12 @TEN_3 @GEN_8 @needs_tenant_b @negative
    Scenario: Mallory of tenant B cannot prepare a transfer from Alice's wallet
      Given Alice holds a payment consent for that beneficiary
      And Mallory is a logged-in customer of tenant B
      When Mallory tries to prepare a transfer of 10.00 EUR from Alice's wallet to her beneficiary
      Then Mallory is refused as touching a wallet that is not hers
      And no money has moved

  Rule: PAY-13 Executing needs the consent's authentication code

    @PAY_13 @GEN_8 @needs_funding @negative
    Scenario: Alice cannot execute with a wrong authentication code
      Given Alice has 500.00 EUR in her wallet and a payment consent for that beneficiary
      And Alice has prepared a transfer of 100.00 EUR to that beneficiary
      When Alice executes the prepared transfer with a wrong authentication code
      Then the execution is refused and no money has moved

  Rule: PAY-14 A transfer stays within its payment consent

    @PAY_14 @needs_funding
    Scenario: Alice's transfer above her consent's maximum should be refused
      Given Alice has 500.00 EUR in her wallet
      And Alice holds a payment consent for at most 50.00 EUR to that beneficiary
      When Alice tries to transfer 100.00 EUR to that beneficiary
      Then the transfer should be refused as outside her payment consent

    @PAY_14 @needs_funding
    Scenario: Alice's transfer to a beneficiary her consent does not name should be refused
      Given Alice has 500.00 EUR in her wallet
      And Alice holds a payment consent for another beneficiary only
      When Alice tries to transfer 100.00 EUR to that beneficiary
      Then the transfer should be refused as outside her payment consent

  Rule: AMT-1 to AMT-3 Amounts are exchanged in minor units and add up

    @AMT_1 @PAY_5 @needs_funding
    Scenario: Alice's amount without a scale is read as cents
      Given Alice has 500.00 EUR in her wallet and a payment consent for that beneficiary
      When Alice prepares a transfer of 12.34 EUR written without a scale to that beneficiary
      Then the order is priced at 12.34 EUR plus non-negative fees and is valid for a while

    @AMT_2 @AMT_3 @needs_funding
    Scenario: Every amount Alice is shown can be read and adds up
      Given Alice has 500.00 EUR in her wallet and a payment consent for that beneficiary
      When Alice prepares a transfer of 100.00 EUR to that beneficiary
      Then every amount of the order and of her balances can be read
      And the order's total is its amount plus its non-negative fees
