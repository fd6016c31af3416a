import PPLDistributions
import PPLInference

/// A model that hides its base's block advance, so SMC advances its particles one at a time (the
/// protocol's default): `--model ppl-single` times the VM without its lockstep block advance.
struct OneAtATime<Base: Model>: Model {
    typealias Trace = Base.Trace
    typealias Particle = Base.Particle
    typealias Undo = Base.Undo
    let base: Base

    var facts: ModelFacts { base.facts }
    func simulate(using rng: inout RandomStream) throws(ModelError) -> Trace { try base.simulate(using: &rng) }
    func generate(constraints: [Address: Value], using rng: inout RandomStream) throws(ModelError) -> Trace {
        try base.generate(constraints: constraints, using: &rng)
    }
    func assess(_ choices: [Address: Value]) throws(ModelError) -> Double { try base.assess(choices) }
    func update(_ trace: inout Trace, latent index: Int, to value: Value,
                using rng: inout RandomStream) throws(ModelError) -> TraceUpdate<Undo> {
        try base.update(&trace, latent: index, to: value, using: &rng)
    }
    func revert(_ trace: inout Trace, _ update: TraceUpdate<Undo>) { base.revert(&trace, update) }
    func makeParticle() -> Particle { base.makeParticle() }
    func advance(_ particle: inout Particle, using rng: inout RandomStream) throws(ModelError) -> ParticleStep {
        try base.advance(&particle, using: &rng)
    }
    func advance(_ particle: inout Particle, recording step: inout StepRecorder,
                 using rng: inout RandomStream) throws(ModelError) {
        try base.advance(&particle, recording: &step, using: &rng)
    }
    func describe(_ key: ChoiceKey) -> ChoiceDescription { base.describe(key) }
    func observationLocation(_ observation: Int) -> String? { base.observationLocation(observation) }
    func copy(_ source: borrowing Particle, into destination: inout Particle) { base.copy(source, into: &destination) }
    func copyParticles(from source: UnsafePointer<Particle>, ancestors: [Int], range: Range<Int>,
                       into destination: UnsafeMutablePointer<Particle>) {
        base.copyParticles(from: source, ancestors: ancestors, range: range, into: destination)
    }
    func finalState(of particle: Particle) -> (deterministic: [(Address, Value)], returnValue: Value?) {
        base.finalState(of: particle)
    }
    func replay(fixing choices: [Address: Value], throughObservations count: Int,
                using rng: inout RandomStream) throws(ModelError) -> (particle: Particle, logJoint: Double, choices: [ChoiceRecord]) {
        try base.replay(fixing: choices, throughObservations: count, using: &rng)
    }
    func explore(fixing choices: [Address: Value]) throws(ModelError) -> Exploration<Trace> { try base.explore(fixing: choices) }
}
