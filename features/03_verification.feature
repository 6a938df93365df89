@verification
Feature: Identity verification
  A customer submits an identity document; a tenant admin approves standard-risk customers, and
  only the power tenant can approve high-risk ones (seed phase 3).

  Rule: VER-1, VER-2 and SM-4 A customer opens and submits her own verification

    @VER_1 @VER_2 @SM_4 @smoke
    Scenario: Alice opens an identity verification for herself
      Given Alice is a logged-in customer
      When Alice opens an identity verification
      Then the verification is open and has an id of its own

    @VER_1 @SM_4
    Scenario: Alice's submitted passport awaits a decision
      Given Alice is a logged-in customer who has opened a verification
      When Alice submits her passport
      Then the submission is accepted
      And Alice's verification awaits a decision or is already approved

    @VER_1 @GEN_8
    Scenario: The tenant admin may open a verification on Alice's behalf
      Given Alice is a logged-in customer
      When the tenant admin opens a verification on Alice's behalf
      Then the verification is opened for Alice or the attempt leaves nothing behind

    @VER_1 @SM_4 @GEN_8
    Scenario: The tenant admin may submit a passport on Alice's behalf
      Given Alice is a logged-in customer who has opened a verification
      When the tenant admin submits a passport on Alice's behalf
      Then the passport is accepted for Alice or the attempt leaves nothing behind

  Rule: VER-3 Submission accepts the documented verification and document types

    @VER_3
    Scenario Outline: Alice submits her passport for a <kind> verification
      Given Alice is a logged-in customer who has opened a verification
      When Alice submits her passport for a <kind> verification
      Then the submission is accepted

      Examples: The four verification types
        | kind       |
        | IDENTITY   |
        | STANDARD   |
        | ENHANCED   |
        | SIMPLIFIED |

    @VER_3
    Scenario Outline: Alice's <document> should be accepted as an identity document
      Given Alice is a logged-in customer who has opened a verification
      When Alice submits a document of type <document>
      Then the document should be accepted

      Examples: The recommended document types besides the passport
        | document        |
        | ID_CARD         |
        | GOVERNMENT_ID   |
        | NATIONAL_ID     |
        | DRIVERS_LICENSE |

    @VER_3 @GEN_8 @negative
    Scenario: A document of an unknown type is refused
      Given Alice is a logged-in customer who has opened a verification
      When Alice submits a document of an unknown type
      Then the submission is refused as invalid input
      And Alice's verification still awaits her documents

    @VER_3 @GEN_8 @negative
    Scenario: A passport without its number is refused
      Given Alice is a logged-in customer who has opened a verification
      When Alice submits a passport without its number
      Then the submission is refused as invalid input
      And Alice's verification still awaits her documents

    @VER_3 @negative
    Scenario: An expired passport should be refused
      Given Alice is a logged-in customer who has opened a verification
      When Alice submits a passport that has expired
      Then the expired document should be refused as invalid input

  Rule: VER-4 and VER-5 Only the customer and her tenant's admin read her verification

    @VER_4
    Scenario: Alice reads her own verification
      Given Alice is a logged-in customer who has submitted her passport
      When Alice looks up her verification
      Then the verification's status is shown to her

    @VER_4 @SEC_4 @negative
    Scenario: Bob cannot read Alice's verification
      Given Alice is a logged-in customer who has submitted her passport
      And Bob is a logged-in customer
      When Bob looks up Alice's verification
      Then the lookup is refused as someone else's verification

    @VER_4 @TEN_2 @needs_tenant_b @negative
    Scenario: Mallory of tenant B cannot read Alice's verification
      Given Alice is a logged-in customer who has submitted her passport
      And Mallory is a logged-in customer of tenant B
      When Mallory looks up Alice's verification
      Then the lookup is refused as someone else's verification

    @VER_5
    Scenario: The tenant admin should be able to read Alice's verification
      Given Alice is a logged-in customer who has submitted her passport
      When the tenant admin looks up Alice's verification
      Then the tenant admin should see its status

  Rule: VER-5 and RISK-3 A tenant admin's approval suffices for a standard-risk customer

    @VER_2 @VER_4 @VER_5 @RISK_3 @SM_4 @smoke
    Scenario: The tenant admin approves Alice's passport
      Given Alice is a logged-in customer who has submitted her passport
      When the tenant admin approves Alice's verification
      Then Alice's verification is approved

    @RISK_3 @VER_5
    Scenario: The tenant admin's approval alone makes Alice activatable
      Given Alice is a logged-in customer who has submitted her passport
      And Alice has accepted all three consents
      When the tenant admin approves Alice's verification
      Then Alice can be activated

  Rule: VER-6 and SM-2 A decided verification stays decided

    @VER_6 @SM_2 @GEN_8 @negative
    Scenario Outline: The tenant admin cannot turn Alice's <decision> verification around
      Given Alice is a logged-in customer whose verification has been <decision>
      When the tenant admin <action> Alice's verification once more
      Then the new decision is refused
      And Alice's verification is still <decision>

      Examples: Decided, then decided again
        | decision | action   |
        | approved | rejects  |
        | approved | approves |
        | rejected | approves |
        | rejected | rejects  |

  Rule: VER-7 A customer cannot decide a verification

    @VER_7 @SEC_5 @negative
    Scenario: Alice cannot approve her own verification
      Given Alice is a logged-in customer who has submitted her passport
      When Alice tries to approve her own verification
      Then the decision is refused as not permitted
      And Alice's verification is unchanged

    @VER_7 @SEC_5 @negative
    Scenario: Alice cannot reject her own verification
      Given Alice is a logged-in customer who has submitted her passport
      When Alice tries to reject her own verification
      Then the decision is refused as not permitted
      And Alice's verification is unchanged

  Rule: VER-8 and SM-2 A verification is not started over

    @VER_8 @SM_2 @GEN_8 @negative
    Scenario: Alice cannot open a new verification once approved
      Given Alice is a verified customer
      When Alice opens another identity verification
      Then the new verification is refused
      And Alice's verification is still approved

    @VER_8 @SM_2 @GEN_8 @negative
    Scenario: An active customer cannot open a new verification
      Given Alice is an active customer
      When Alice opens another identity verification
      Then the new verification is refused
      And Alice's verification is still approved

    @VER_8
    Scenario: Opening a verification while one is open gives back the open one or nothing
      Given Alice is a logged-in customer who has opened a verification
      When Alice opens another identity verification
      Then the open verification is returned or the new one is refused
      And Alice's verification still awaits her documents

  Rule: VER-10 Submitting before opening a verification

    @VER_10 @GEN_8
    Scenario: Alice submits her passport without opening a verification first
      Given Alice is a logged-in customer
      When Alice submits her passport without opening a verification
      Then Alice's passport opens a verification implicitly or is refused as premature

  Rule: VER-11 A rejected customer cannot be activated

    @VER_11 @ACT_1
    Scenario: The tenant admin rejects Alice's verification
      Given Alice is a logged-in customer who has submitted her passport
      And Alice has accepted all three consents
      When the tenant admin rejects Alice's verification
      Then Alice's verification is rejected
      And Alice cannot be activated

    @VER_11
    Scenario: The tenant admin rejects Alice's verification through the rejection endpoint
      Given Alice is a logged-in customer who has submitted her passport
      When the tenant admin rejects Alice's verification through the rejection endpoint
      Then Alice's verification is rejected

  Rule: RISK-1 and RISK-2 A high-risk customer needs the power tenant

    @RISK_1 @needs_power_tenant @negative
    Scenario: A tenant admin's approval does not make Hana activatable
      Given Hana is a logged-in high-risk customer who has submitted her passport
      And Hana has accepted all three consents
      When the tenant admin approves Hana's verification
      Then the tenant admin's approval is refused or leaves Hana short of the power level
      And Hana cannot be activated

    @RISK_1 @needs_power_tenant @negative
    Scenario: Repeated tenant approvals do not make Hana activatable
      Given Hana is a logged-in high-risk customer who has submitted her passport
      And Hana has accepted all three consents
      When the tenant admin approves Hana's verification twice
      Then each tenant approval is refused or leaves Hana short of the power level
      And Hana cannot be activated

    @RISK_2 @needs_power_tenant
    Scenario: The power tenant's approval makes Hana activatable
      Given Hana is a logged-in high-risk customer who has submitted her passport
      And Hana has accepted all three consents
      When the power tenant approves Hana's verification
      Then Hana's verification is approved
      And Hana can be activated

    @RISK_2 @needs_power_tenant
    Scenario: The power tenant's approval after the tenant admin's review is accepted
      Given Hana is a logged-in high-risk customer whose verification the tenant admin has already reviewed
      And Hana has accepted all three consents
      When the power tenant approves Hana's verification
      Then Hana's verification is approved
      And Hana can be activated
