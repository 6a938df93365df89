@tenant_isolation
Feature: Tenant isolation
  Each tenant's customers, admins and data are walled off from every other tenant. The one action
  that crosses the wall is the power tenant's approval of a high-risk customer.

  Rule: TEN-1 The tenant named on a request must be the caller's own

    @TEN_1 @GEN_8 @negative
    Scenario Outline: Alice's wallet refuses requests that name another tenant
      Given Alice is an active customer
      When Alice uses her wallet while naming <other tenant> as her tenant
      Then every request is refused as a tenant mismatch
      And Alice's beneficiaries are unchanged

      @needs_tenant_b
      Examples: A real second tenant
        | other tenant |
        | tenant B     |

      Examples: A tenant that does not exist
        | other tenant      |
        | an unknown tenant |

    @TEN_1 @GEN_8 @negative
    Scenario Outline: The tenant admin cannot register a customer while naming another tenant
      Given Bob is a prospective customer of tenant A
      When the tenant admin registers Bob while naming <other tenant> as the tenant
      Then every request is refused as a tenant mismatch
      And nothing was registered for Bob

      @needs_tenant_b
      Examples: A real second tenant
        | other tenant |
        | tenant B     |

      Examples: A tenant that does not exist
        | other tenant      |
        | an unknown tenant |

    @TEN_1 @GEN_8 @negative
    Scenario: Alice's wallet refuses requests that name no tenant at all
      Given Alice is an active customer
      When Alice uses her wallet without naming her tenant
      Then every request is refused for the missing tenant
      And Alice's beneficiaries are unchanged

  Rule: TEN-2 Another tenant cannot read tenant A's data

    @TEN_2 @VER_4 @WAL_1 @needs_tenant_b @negative
    Scenario: Mallory and her tenant's admin cannot see anything of Alice's
      Given Alice is an active customer
      And Mallory banks with tenant B and is logged in
      When Mallory and tenant B's admin look up tenant A's categories and Alice's verification, readiness and wallet
      Then every attempt is refused as foreign to them

  Rule: TEN-3 Another tenant cannot change tenant A's data

    @TEN_3 @GEN_8 @needs_tenant_b @negative
    Scenario: Mallory and her tenant's admin cannot act on Alice's onboarding
      Given Alice is a logged-in customer whose verification is open
      And Mallory banks with tenant B and is logged in
      When Mallory and tenant B's admin try to verify, consent for and activate Alice
      Then every attempt is refused as foreign to them
      And Alice's onboarding is untouched

    @TEN_3 @PAY_12 @GEN_8 @needs_tenant_b @negative
    Scenario: Mallory and her tenant's admin cannot act on Alice's wallet
      Given Alice is an active customer
      And Mallory banks with tenant B and is logged in
      When Mallory and tenant B's admin try to add payees, consents and transfers to Alice's wallet
      Then every attempt is refused as foreign to them
      And Alice's wallet is untouched

    @TEN_3 @needs_tenant_b
    Scenario: Tenant B's admin cannot register a customer into tenant A
      Given Mallory is a prospective customer of tenant B
      When tenant B's admin registers Mallory with details that name tenant A
      Then Mallory is either refused or registered in tenant B only

  Rule: TEN-4 A customer logs in only through her own tenant

    @TEN_4 @needs_tenant_b @negative
    Scenario Outline: Alice cannot log in through tenant B
      Given Alice is a registered customer
      When Alice logs in presenting tenant B's <credential>
      Then no session is opened for Alice

      Examples: Tenant B's credentials in place of tenant A's
        | credential     |
        | key and secret |
        | identifier     |

  Rule: TEN-6 The power tenant's approval is the one action that crosses tenants

    @TEN_6 @RISK_2 @needs_power_tenant
    Scenario: The power tenant approves Hana across the tenant boundary
      Given Hana is a high-risk customer of tenant A who awaits approval with every consent given
      When the power tenant approves Hana's verification from its own tenant
      Then Hana's verification is approved and she can be activated
