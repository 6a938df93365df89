@registration
Feature: Registration of an individual customer
  A tenant admin registers a person as a customer (seed phase 1). The profile fixes the password
  policy, what a registration returns, and that the default wallet starts inactive.

  Background:
    Given Alice is a prospective customer of tenant A

  Rule: REG-6 A registration identifies the customer and the user

    @REG_6 @REG_7 @REG_8 @SM_3 @SEC_1 @smoke
    Scenario: The tenant admin registers Alice without a category
      When the tenant admin registers Alice
      Then Alice has a customer id and a user id
      And Alice's customer status does not yet denote activity
      And Alice's default wallet is not active

  Rule: REG-3 Passwords follow the seed's policy

    @REG_3 @GEN_8 @negative
    Scenario Outline: A password that breaks one clause of the policy is refused
      When the tenant admin registers Alice with a password that has <weakness>
      Then the registration is refused as invalid input
      And Alice can still be registered with a strong password

      Examples: One clause broken at a time
        | weakness             |
        | too few characters   |
        | no upper-case letter |
        | no lower-case letter |
        | no digit             |
        | no special character |

  Rule: REG-4 The confirmation must match the password

    @REG_4 @GEN_8 @negative
    Scenario: A confirmation that differs from the password is refused
      When the tenant admin registers Alice with a confirmation that differs from the password
      Then the registration is refused as invalid input
      And Alice can still be registered with a strong password

  Rule: REG-5 An email address is unique within a tenant

    @REG_5 @negative
    Scenario: Registering Alice's email a second time is refused as a duplicate
      Given Alice is a registered customer
      When the tenant admin registers someone else with Alice's email address
      Then the registration is refused as a duplicate
      And Alice can still log in

  Rule: CAT-5 A customer can be registered in a category of the tenant's hierarchy

    @CAT_1 @CAT_5
    Scenario: Alice is registered in the standard category with its full parametrization
      When the tenant admin registers Alice in the standard category
      Then Alice has a customer id and a user id
