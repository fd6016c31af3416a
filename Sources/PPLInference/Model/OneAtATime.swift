import PPLDistributions

/// A model that hides its base's block advance, so SMC advances its particles one at a time (the
/// protocol's default) and draws each particle's random numbers in program order. It is how a
/// lockstep run is checked against, and timed beside, the one-particle path, and how a user gets
/// the draws a hand-written model of the same program would make.
public struct OneAtATime<Base: Model>: Model {
    public typealias Trace = Base.Trace
    public typealias Particle = Base.Particle
    public typealias Undo = Base.Undo
    public let base: Base

    public init(base: Base) { self.base = base }

    public var facts: ModelFacts { base.facts }
    public func simulate(using rng: inout RandomStream) throws(ModelError) -> Trace { try base.simulate(using: &rng) }
    public func generate(constraints: [Address: Value], using rng: inout RandomStream) throws(ModelError) -> Trace {
        try base.generate(constraints: constraints, using: &rng)
    }
    public func assess(_ choices: [Address: Value]) throws(ModelError) -> Double { try base.assess(choices) }
    public func update(_ trace: inout Trace, latent index: Int, to value: Value,
                       using rng: inout RandomStream) throws(ModelError) -> TraceUpdate<Undo> {
        try base.update(&trace, latent: index, to: value, using: &rng)
    }
    public func revert(_ trace: inout Trace, _ update: TraceUpdate<Undo>) { base.revert(&trace, update) }
    public func update(_ trace: inout Trace, latent index: Int, to value: Value,
                       keepIf keep: (_ logWeight: Double, _ rng: inout RandomStream) -> Bool,
                       using rng: inout RandomStream) throws(ModelError) -> (logWeight: Double, kept: Bool) {
        try base.update(&trace, latent: index, to: value, keepIf: keep, using: &rng)
    }
    public func chooseValue(_ trace: inout Trace, latent index: Int, among values: [Value],
                            choosing choose: (_ logWeights: [Double]) -> Int?,
                            using rng: inout RandomStream) throws(ModelError) {
        try base.chooseValue(&trace, latent: index, among: values, choosing: choose, using: &rng)
    }
    public func makeParticle() -> Particle { base.makeParticle() }
    public func advance(_ particle: inout Particle, using rng: inout RandomStream) throws(ModelError) -> ParticleStep {
        try base.advance(&particle, using: &rng)
    }
    public func advance(_ particle: inout Particle, recording step: inout StepRecorder,
                        using rng: inout RandomStream) throws(ModelError) {
        try base.advance(&particle, recording: &step, using: &rng)
    }
    public func describe(_ key: ChoiceKey) -> ChoiceDescription { base.describe(key) }
    public func observationLocation(_ observation: Int) -> String? { base.observationLocation(observation) }
    public func copy(_ source: borrowing Particle, into destination: inout Particle) { base.copy(source, into: &destination) }
    public func copyParticles(from source: UnsafePointer<Particle>, ancestors: [Int], range: Range<Int>,
                              into destination: UnsafeMutablePointer<Particle>) {
        base.copyParticles(from: source, ancestors: ancestors, range: range, into: destination)
    }
    public func finalState(of particle: Particle) -> (deterministic: [(Address, Value)], returnValue: Value?) {
        base.finalState(of: particle)
    }
    public func replay(fixing choices: [Address: Value], throughObservations count: Int,
                       using rng: inout RandomStream) throws(ModelError) -> (particle: Particle, logJoint: Double, choices: [ChoiceRecord]) {
        try base.replay(fixing: choices, throughObservations: count, using: &rng)
    }
    public func explore(fixing choices: [Address: Value]) throws(ModelError) -> Exploration<Trace> { try base.explore(fixing: choices) }
}
