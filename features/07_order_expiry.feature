@payments
Feature: Order expiry
  A prepared transfer can be executed only until its validUntil; after that it is refused and the money
  it held is released (seed phase 7). Watching an order expire takes the deployment's whole order
  lifetime (any length is allowed), so Alice's order is prepared as the run begins, and this scenario
  runs last, when that lifetime has passed while the other scenarios ran.

  Rule: PAY-7 An expired order cannot be executed

    @PAY_7 @SM_2 @GEN_8 @needs_funding @slow @negative @head_start
    Scenario: Alice's prepared transfer expires before she executes it
      Given Alice had 500.00 EUR in her wallet and a payment consent for a beneficiary as the run began
      And Alice prepared a transfer of 100.00 EUR to that beneficiary as the run began
      When Alice executes the prepared transfer after it has expired
      Then the expired order is refused and its hold is released
