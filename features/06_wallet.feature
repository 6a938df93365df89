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
      And her daily and monthly transfer limits should be shown as well

  Rule: WAL-1 Only the owner reads her wallet

    @WAL_1
    Scenario: Alice reads her balance, her allowed operations and her beneficiaries
      Given Alice is an active customer
      When Alice reads her balance, her allowed operations and her beneficiaries
      Then all three are shown to her

    @WAL_1 @SEC_4 @negative
    Scenario: Bob cannot read Alice's wallet
      Given Alice is an active customer
      And Bob is an active customer
      When Bob tries to read Alice's balance, allowed operations and beneficiaries
      Then each read is refused as touching a wallet that is not his

    @WAL_1 @TEN_2 @needs_tenant_b @negative
    Scenario: Mallory of tenant B cannot read Alice's wallet
      Given Alice is an active customer
      And Mallory is a logged-in customer of tenant B
      When Mallory tries to read Alice's balance, allowed operations and beneficiaries
      Then each read is refused as touching a wallet that is not hers

    @WAL_1
    Scenario: The tenant admin may read Alice's balance
      Given Alice is an active customer
      When the tenant admin reads Alice's balance
      Then the tenant admin is either shown Alice's own balances or refused

  Rule: WAL-2 The balances always add up

    @WAL_2 @PAY_6 @PAY_10 @needs_funding
    Scenario: Alice's balances add up while a transfer is held and once it has settled
      Given Alice has prepared a transfer of 100.00 EUR from a wallet holding 500.00 EUR
      When Alice executes the prepared transfer
      Then her balances added up while the money was held and still add up after settlement

  Rule: WAL-6 The wallet reports a valid payment consent

    @WAL_6
    Scenario: Alice's wallet reports her payment consent
      Given Alice is an active customer
      And Alice has registered a beneficiary
      And Alice holds a payment consent for that beneficiary
      When Alice looks at her wallet
      Then her wallet should report that she holds a valid payment consent

  Rule: IBAN-1 and IBAN-2 The wallet's IBAN is a valid IBAN of its country's length

    @IBAN_1 @IBAN_2
    Scenario: Alice's wallet shows a valid IBAN
      Given Alice is an active customer
      When Alice looks at her wallet
      Then every IBAN shown for her wallet passes the ISO 13616 checks
      And its length should be the registry length for its country

  Rule: BEN-1 and BEN-6 Beneficiaries are registered on the wallet

    @BEN_1 @BEN_6
    Scenario: Alice registers a beneficiary
      Given Alice is an active customer
      When Alice registers a beneficiary
      Then the beneficiary appears in Alice's list of beneficiaries

    @BEN_1 @SEC_4 @GEN_8 @negative
    Scenario: Bob cannot register a beneficiary on Alice's wallet
      Given Alice is an active customer
      And Bob is an active customer
      When Bob tries to register a beneficiary on Alice's wallet
      Then the beneficiary is refused as touching a wallet that is not his
      And Alice's list of beneficiaries is unchanged

  Rule: BEN-2, BEN-3, BEN-4 and BEN-7 A beneficiary's data is checked

    @GEN_8 @negative
    Scenario Outline: Alice cannot register a beneficiary with bad data
      Given Alice is an active customer
      When Alice registers a beneficiary with <defect>
      Then the beneficiary is refused as invalid input
      And Alice's list of beneficiaries is unchanged

      @BEN_2
      Examples: Required data missing
        | defect                                 |
        | no IBAN                                |
        | an individual without a first name     |
        | an individual without a last name      |
        | a business without a company name      |

      @BEN_3
      Examples: IBAN failing the ISO 13616 checks
        | defect                                 |
        | an IBAN with a wrong checksum          |
        | an IBAN with check digits 00           |
        | an IBAN that is too short              |
        | an IBAN that does not start with a country |

      @BEN_4
      Examples: Malformed BIC
        | defect                                 |
        | a BIC of nine characters               |
        | a BIC with a digit in its bank code    |

      @BEN_7
      Examples: Currency outside ISO 4217
        | defect                                 |
        | the currency XYZ                       |

    @BEN_3
    Scenario Outline: Alice's beneficiary IBAN should fit its country
      Given Alice is an active customer
      When Alice registers a beneficiary with <defect>
      Then the beneficiary should be refused as invalid input

      Examples: IBAN valid by checksum but wrong for its country
        | defect                                              |
        | a German IBAN one character short                   |
        | a French IBAN for a beneficiary in Germany          |

  Rule: BEN-5 An IBAN is registered only once per wallet

    @BEN_5 @BEN_6 @negative
    Scenario: Alice registers the same IBAN twice
      Given Alice is an active customer
      And Alice has registered a beneficiary
      When Alice registers that beneficiary's IBAN again
      Then the second registration is refused or returns the same beneficiary
      And that IBAN is listed only once

  Rule: RISK-4 A high-risk customer may move no more per transfer than a standard one

    @RISK_4 @WAL_5 @needs_power_tenant
    Scenario: Hana's transfer limit is no higher than Alice's
      Given Hana is an active high-risk customer
      And Alice is an active customer
      When Hana and Alice look at their transfer limits
      Then Hana's per-transaction limit is no higher than Alice's
