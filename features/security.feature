@security
Feature: Security
  Only a genuine token opens the API, and it opens only its holder's own data. No input, however
  hostile, makes the bank fail, and no answer ever gives a secret away.

  Rule: SEC-3 Every protected endpoint demands a genuine token

    @SEC_3 @negative
    Scenario Outline: Every protected endpoint refuses a token that proves nothing
      Given Alice is an active customer
      When Alice and the tenant admin call every protected endpoint presenting <token>
      Then every call is refused as unauthenticated

      Examples: Tokens that prove nothing
        | token                             |
        | no token                          |
        | a malformed token                 |
        | a token with a tampered signature |
        | an unsigned token                 |

  Rule: SEC-4 A customer reaches only her own data, even within her tenant

    @SEC_4 @WAL_1 @VER_4 @negative
    Scenario: Bob cannot look into Alice's verification, readiness or wallet
      Given Alice is an active customer
      And Bob is a logged-in customer
      When Bob looks up Alice's verification, readiness, wallet, allowed operations and beneficiaries
      Then every attempt is refused as foreign to them

    @SEC_4 @PAY_12 @GEN_8 @negative
    Scenario: Bob cannot act on Alice's record, consents, wallet or orders
      Given Alice is an active customer
      And Bob is a logged-in customer
      When Bob tries to verify, consent for, add payees to and pay from Alice's account
      Then every attempt is refused as foreign to them
      And Alice's wallet is untouched

  Rule: SEC-5 Customers cannot decide verifications

    @SEC_5 @VER_7 @negative
    Scenario: Alice can neither approve nor reject her own verification by any route
      Given Alice is a logged-in customer whose passport awaits a decision
      When Alice tries to approve and to reject her own verification
      Then every decision is refused as not hers to make
      And Alice's verification stays as it was

  Rule: SEC-1 and GEN-6 Errors are in their documented sets and give no secret away

    @SEC_1 @GEN_6 @SEC_6 @negative
    Scenario: Mistakes in every phase are refused without giving a secret away
      Given Alice is an active customer with a registered payee
      When Alice and the tenant admin make a mistake in every phase
      Then every mistake is refused with a status of its documented set
      And no answer carries a password, a tenant secret or a hash

  Rule: SEC-2 No input, however hostile, makes the bank fail

    @SEC_2 @negative
    Scenario: Generated hostile bodies never cause a server error
      Given Alice is an active customer with a registered payee
      When Hypothesis derives hostile bodies for every endpoint from its valid body
      Then none of them breaks the deployment

    @SEC_2 @negative
    Scenario Outline: Hostile input never causes a server error
      Given Alice is an active customer with a registered payee
      When every endpoint receives <hostile input>
      Then no answer is a server error

      Examples: Bodies no endpoint can accept
        | hostile input                           |
        | malformed JSON                          |
        | a list or a scalar instead of an object |
        | values of the wrong types               |
        | 10,000-character strings                |
        | a body of about one mebibyte            |
        | a content type other than JSON          |
        | extreme amounts and scales              |
        | hostile header values                   |

      Examples: Identifiers no resource has
        | hostile input                  |
        | identifiers that are not UUIDs |
        | identifiers that do not exist  |
