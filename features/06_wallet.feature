@wallet
Feature: Wallet
  The default wallet is usable only once the customer is active; it then shows its balances,
  the operations it allows with their limits, and the customer's beneficiaries (seed phase 6).

  Rule: WAL-3 Operations are blocked before activation

    @WAL_3 @SM_5 @PAY_1 @SM_1 @negative
    Scenario: Alice's wallet refuses every operation before activation
      Given Alice is a verified customer who has accepted all three consents
      When Alice tries to use her wallet before activation
      Then every wallet operation is refused because the wallet is not active
      And Alice's wallet is not shown as active or able to transfer

  Rule: WAL-4 and WAL-5 A fresh wallet is empty and shows its transfer limit

    @WAL_4 @WAL_5 @WAL_2 @smoke
    Scenario: Alice looks at her fresh wallet
      Given Alice is an active customer
      When Alice looks at her wallet
      Then all her balances are zero
      And transfers are enabled with a per-transaction limit

  Rule: BEN-1 and BEN-6 Beneficiaries are registered on the wallet

    @BEN_1 @BEN_6
    Scenario: Alice registers a beneficiary
      Given Alice is an active customer
      When Alice registers a beneficiary
      Then the beneficiary appears in Alice's list of beneficiaries
