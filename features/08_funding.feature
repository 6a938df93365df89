@payments
Feature: Funding
  A customer's wallet is funded by top-up (or by the deployment's own hook) so that transfers can
  be tested; a deployment without any funding method is not at fault, its money scenarios are skipped.

  Rule: FUND-1 to FUND-3 A top-up credits the wallet and needs no payment consent

    @FUND_1 @FUND_2 @FUND_3 @WAL_2 @needs_funding
    Scenario: Alice tops up her wallet without a payment consent
      Given Alice is an active customer
      When Alice tops up 250.00 EUR without holding a payment consent
      Then her current and available balances rise by 250.00 EUR less the fee stated for the top-up
