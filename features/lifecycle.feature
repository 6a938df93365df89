@lifecycle
Feature: The individual customer's journey end to end
  The seven phases in order, for a standard-risk customer and for a high-risk customer whose
  verification only the power tenant can approve.

  Rule: SM-1 The seven phases, in order, take a person from registration to a settled transfer

    @SM_1 @SM_3 @SM_5 @smoke @needs_funding
    Scenario: Alice goes from registration to a settled transfer
      Given Alice is a prospective customer of tenant A
      When Alice goes through all seven phases
      Then Alice is active and her transfer has settled exactly

    @RISK_2 @needs_power_tenant @needs_funding
    Scenario: Hana goes through all seven phases with the power tenant's approval
      Given Hana is a prospective high-risk customer of tenant A
      When Hana goes through all seven phases with the power tenant's approval
      Then Hana is active and her transfer has settled exactly

  Rule: SM-2 No sequence of operations skips a prerequisite or moves a state backwards

    @SM_1 @SM_2 @SM_4 @slow
    Scenario: Random journeys through the lifecycle agree with the profile's state machine
      Given the lifecycle model of the profile
      When random sequences of operations are played against the deployment
      Then the deployment agrees with the model at every step
