@verification
Feature: Identity verification
  A customer submits an identity document; a tenant admin approves standard-risk customers, and
  only the power tenant can approve high-risk ones (seed phase 3).

  Rule: VER-5 and RISK-3 A tenant admin's approval suffices for a standard-risk customer

    @VER_2 @VER_4 @VER_5 @RISK_3 @SM_4 @smoke
    Scenario: The tenant admin approves Alice's passport
      Given Alice is a logged-in customer who has submitted her passport
      When the tenant admin approves Alice's verification
      Then Alice's verification is approved

  Rule: VER-7 A customer cannot decide a verification

    @VER_7 @SEC_5 @negative
    Scenario: Alice cannot approve her own verification
      Given Alice is a logged-in customer who has submitted her passport
      When Alice tries to approve her own verification
      Then the decision is refused as not permitted
      And Alice's verification is unchanged

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

    @RISK_2 @needs_power_tenant
    Scenario: The power tenant's approval makes Hana activatable
      Given Hana is a logged-in high-risk customer who has submitted her passport
      And Hana has accepted all three consents
      When the power tenant approves Hana's verification
      Then Hana's verification is approved
      And Hana can be activated
