@conventions
Feature: API conventions
  The conventions every endpoint shares: where it is served, which headers it accepts, how missing
  headers and unknown fields are treated, and how timestamps and identifiers look.

  Rule: GEN-1 Each endpoint is served at its documented method and path

    @GEN_1 @GEN_4 @GEN_5
    Scenario: Alice's account answers at every documented address
      Given Alice is an active customer with a registered payee
      When Alice and the tenant admin read everything the profile lets them read
      Then every read succeeds at its documented address

  Rule: GEN-2 The standard headers are accepted

    @GEN_2
    Scenario Outline: Alice is onboarded with the standard headers written another way
      Given Alice is a prospective customer of tenant A
      When Alice is registered, logs in and accepts her terms with <header style>
      Then each of those steps succeeds

      Examples: Standard headers as clients may write them
        | header style                               |
        | a JSON content type that names its charset |
        | header names in lower case                 |

  Rule: GEN-3 A missing header is a client error, never a server error

    @GEN_3 @GEN_8 @negative
    Scenario Outline: Alice's wallet is used without one of the standard headers
      Given Alice is an active customer
      When Alice uses her wallet without sending <header>
      Then every answer is a client error or a success, never a server error
      And Alice's beneficiaries are unchanged

      Examples: Headers the deployment may require
        | header                |
        | the tenant identifier |
        | the forwarding origin |
        | the device identifier |

  Rule: GEN-7 Unknown fields in a request are ignored

    @GEN_7
    Scenario: Alice is registered and consents with fields the profile does not know
      Given Alice is a prospective customer of tenant A
      When Alice is registered, logs in and accepts her terms with unknown fields in every request
      Then each of those steps succeeds

  Rule: GEN-9 and GEN-10 Timestamps are ISO-8601 and identifiers non-empty strings

    @GEN_9 @GEN_10
    Scenario: Alice's consent carries a well-formed moment of consent and identifiers
      Given Alice is a logged-in customer whose verification is open
      When Alice accepts the bank's terms
      Then the moment of her consent, where given, is an ISO-8601 timestamp close to now
      And every identifier Alice was given is a non-empty string

    @GEN_9 @GEN_10 @PAY_5 @needs_funding
    Scenario: Alice's prepared order carries a well-formed validity and identifier
      Given Alice is an active customer with money and a payee she may pay
      When Alice prices a transfer of 10.00 EUR to that payee
      Then the order's validity is an ISO-8601 timestamp in the future and its id a non-empty string

  Rule: SM-1 Nothing happens for a customer who was never registered

    @SM_1 @negative
    Scenario: The tenant admin cannot verify, consent for or activate someone never registered
      Given Alice is a prospective customer of tenant A
      When the tenant admin tries to verify, consent for and activate Alice before she is registered
      Then every attempt is refused as foreign to them
