@activation
Feature: Activation
  A tenant admin activates a customer once all five prerequisites hold; activation opens the
  default wallet with a valid IBAN (seed phase 5).

  Rule: ACT-6 and ACT-7 Activation opens the wallet with a valid IBAN

    @ACT_6 @ACT_7 @IBAN_1 @SM_3 @SM_5 @ACT_9 @smoke
    Scenario: Alice is activated once verified and consenting
      Given Alice is a verified customer who has accepted all three consents
      When the tenant admin activates Alice
      Then Alice's wallet is active with a valid IBAN of her own
      And Alice's customer status denotes activity

    @IBAN_3
    Scenario: Alice's IBAN is not one another wallet already has
      Given Bob is an active customer
      And Alice is a verified customer who has accepted all three consents
      When the tenant admin activates Alice
      Then Alice's wallet is active with a valid IBAN of her own

  Rule: ACT-1 Activation needs an approved verification

    @ACT_1 @SM_1 @GEN_8 @negative
    Scenario: An unverified customer cannot be activated
      Given Alice is a logged-in customer who has submitted her passport
      And Alice has accepted all three consents
      When the tenant admin activates Alice
      Then the activation is refused
      And Alice's wallet is still not active

    @ACT_1 @SM_1 @GEN_8 @negative
    Scenario: A customer whose verification is only opened cannot be activated
      Given Alice is a logged-in customer who has opened a verification
      And Alice has accepted all three consents
      When the tenant admin activates Alice
      Then the activation is refused
      And Alice's wallet is still not active

  Rule: ACT-2 to ACT-4 Activation needs all three consents

    @CON_7 @SM_1 @GEN_8 @negative
    Scenario Outline: A missing consent blocks activation
      Given Alice is a verified customer
      And Alice has accepted every consent except <consent>
      When the tenant admin activates Alice
      Then the activation is refused
      And Alice's wallet is still not active

      @ACT_2
      Examples: Terms missing
        | consent |
        | terms   |

      @ACT_3
      Examples: Privacy missing
        | consent |
        | privacy |

      @ACT_4
      Examples: Data processing missing
        | consent         |
        | data-processing |

  Rule: ACT-5 A customer is activated only once

    @ACT_5 @SM_2 @negative
    Scenario: A second activation changes nothing
      Given Alice is an active customer
      When the tenant admin activates Alice again
      Then the activation is refused as already done
      And Alice keeps the same wallet and IBAN

  Rule: ACT-8 Activation does not depend on a code delivered out of band

    @ACT_8 @ACT_6
    Scenario: Any activation code will do
      Given Alice is a verified customer who has accepted all three consents
      When the tenant admin activates Alice with a code of the suite's own invention
      Then Alice's wallet is active with a valid IBAN of her own

  Rule: ACT-9 The readiness check agrees with activation

    @ACT_9 @negative
    Scenario: Readiness and activation agree while Alice awaits her verification
      Given Alice is a logged-in customer who has submitted her passport
      When the tenant admin asks whether Alice can be activated
      Then the readiness check agrees with what activating Alice then does

    @ACT_9
    Scenario: Readiness and activation agree once Alice meets every prerequisite
      Given Alice is a verified customer who has accepted all three consents
      When the tenant admin asks whether Alice can be activated
      Then the readiness check agrees with what activating Alice then does

    @ACT_9 @negative
    Scenario: Readiness and activation agree once Alice is active
      Given Alice is an active customer
      When the tenant admin asks whether Alice can be activated
      Then the readiness check agrees with what activating Alice then does

  Rule: SM-5 The wallet becomes active only through activation

    @SM_5
    Scenario: Alice's wallet is not active while she awaits activation
      Given Alice is a verified customer who has accepted all three consents
      When Alice looks at her wallet before activation
      Then Alice's wallet does not show as active yet
