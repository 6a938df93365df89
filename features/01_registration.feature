@registration
Feature: Registration of an individual customer
  A tenant admin registers a person as a customer (seed phase 1). The profile fixes who may register,
  the required details and password policy, the category a customer may be placed in, what a
  registration returns, and that the default wallet starts inactive.

  Background:
    Given Alice is a prospective customer of tenant A

  Rule: REG-6 A registration identifies the customer and the user

    @REG_1 @REG_6 @REG_8 @SM_3 @SEC_1 @smoke
    Scenario: The tenant admin registers Alice without a category
      When the tenant admin registers Alice
      Then Alice has a customer id and a user id
      And Alice's customer status does not yet denote activity

  Rule: REG-7 A registration creates a default wallet that is not active

    @REG_1 @REG_7
    Scenario: Alice's default wallet starts inactive
      When the tenant admin registers Alice
      Then Alice's default wallet is not active

  Rule: REG-1 Only an authenticated tenant admin is sure to be able to register customers

    @REG_1 @GEN_8 @negative
    Scenario Outline: A registration without the tenant admin's valid credentials is refused
      When a caller presenting <credentials> registers Alice
      Then the registration is refused as unauthenticated
      And Alice can still be registered with a strong password

      Examples: Credentials that are not a valid token
        | credentials                               |
        | no credentials at all                     |
        | a malformed token                         |
        | a token whose signature was tampered with |

    @REG_1 @GEN_8
    Scenario: A customer who registers someone either succeeds fully or leaves no trace
      Given Bob is a logged-in customer
      When Bob tries to register Alice himself
      Then Alice ends up either properly registered or not registered at all

  Rule: REG-2 Every required detail must be given

    @REG_2 @GEN_8 @negative
    Scenario Outline: A registration lacking a required detail is refused
      When the tenant admin registers Alice with the <detail> <gap>
      Then the registration is refused as invalid input
      And Alice can still be registered with a strong password

      Examples: Each required detail, left out or left empty
        | detail                | gap        |
        | first name            | left out   |
        | first name            | left empty |
        | last name             | left out   |
        | last name             | left empty |
        | email address         | left out   |
        | email address         | left empty |
        | password              | left out   |
        | password              | left empty |
        | password confirmation | left out   |
        | password confirmation | left empty |

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

  Rule: REG-5 An email address is well formed and unique within a tenant

    @REG_5 @GEN_8 @negative
    Scenario Outline: A malformed email address is refused
      When the tenant admin registers Alice with an email address that <malformation>
      Then the registration is refused as invalid input
      And Alice can still be registered with a strong password

      Examples: Ways an email address can be malformed
        | malformation                   |
        | has no at sign                 |
        | has nothing before the at sign |
        | has nothing after the at sign  |
        | has two at signs               |
        | contains a space               |

    @REG_5 @negative
    Scenario: Registering Alice's email a second time is refused as a duplicate
      Given Alice is a registered customer
      When the tenant admin registers someone else with Alice's email address
      Then the registration is refused as a duplicate
      And Alice can still log in

  Rule: TEN-5 Email uniqueness is per tenant (SHOULD)

    @TEN_5 @TEN_3 @needs_tenant_b
    Scenario: Tenant B registers Mallory with an email address already used in tenant A
      Given Alice is a registered customer
      When the admin of tenant B registers Mallory with Alice's email address
      Then Mallory is registered in tenant B as well
      And Alice can still log in

  Rule: CAT-1 The tenant publishes its categorization hierarchy

    @CAT_1
    Scenario: The hierarchy names every category and every feature
      When the tenant admin reads the categorization hierarchy of tenant A
      Then every category in it has an id and a name, and every feature a code

  Rule: CAT-2 A category must come from the tenant's hierarchy

    @CAT_2 @GEN_8 @negative
    Scenario: A category the tenant does not offer is refused
      When the tenant admin registers Alice in a category the tenant does not offer
      Then the registration is refused because the category is unknown
      And Alice can still be registered with a strong password

  Rule: CAT-3 and CAT-4 A category's mandatory parametrization is complete and within its allowed values

    @CAT_3 @CAT_5 @GEN_8 @negative
    Scenario: Leaving out any mandatory parametrization key is refused
      Given Hana is a prospective customer of tenant A
      When the tenant admin registers Hana in a parametrized category, leaving out one mandatory key at a time
      Then each of those registrations is refused as invalid input
      And Hana can still be registered in that category with its full parametrization

    @CAT_4 @CAT_5 @GEN_8 @negative
    Scenario: A parametrization value outside the allowed values is refused
      Given Hana is a prospective customer of tenant A
      When the tenant admin registers Hana in a parametrized category, with one value outside its allowed values at a time
      Then each of those registrations is refused as invalid input
      And Hana can still be registered in that category with its full parametrization

  Rule: CAT-5 A customer can be registered in a category of the tenant's hierarchy

    @CAT_1 @CAT_5
    Scenario: Alice is registered in the standard category with its full parametrization
      When the tenant admin registers Alice in the standard category
      Then Alice has a customer id and a user id

  Rule: REG-3 and REG-4 hold for every password, not only the hand-picked ones

    @REG_3 @GEN_8 @negative
    Scenario: Every generated password that breaks one clause of the policy is refused
      When the tenant admin tries to register customers with generated passwords that each break one clause
      Then every one of them is refused and none of them creates a customer

    @REG_4 @GEN_8 @negative
    Scenario: Every generated confirmation that differs from the password is refused
      When the tenant admin tries to register customers whose confirmation differs from the password
      Then every one of them is refused and none of them creates a customer

    @REG_3 @SEC_2
    Scenario: Unusual but valid passwords never break the deployment
      When the tenant admin registers customers with unusual but valid passwords
      Then none of them breaks the deployment
