import Foundation
import PPLDistributions
@testable import PPLInference

/// A model with the facts a recogniser would give it (Swift models have none of their own).
struct WithConjugacy<Base: Model>: Model {
    typealias Trace = Base.Trace
    typealias Particle = Base.Particle
    typealias Undo = Base.Undo

    let base: Base
    let facts: ModelFacts

    init(_ base: Base, _ priors: [String: String]) {
        self.base = base
        var facts = base.facts
        facts.conjugatePriors = priors
        self.facts = facts
    }

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
    func finalState(of particle: Particle) -> (deterministic: [(Address, Value)], returnValue: Value?) {
        base.finalState(of: particle)
    }
    func replay(fixing choices: [Address: Value], throughObservations count: Int,
                using rng: inout RandomStream) throws(ModelError) -> (particle: Particle, logJoint: Double, choices: [ChoiceRecord]) {
        try base.replay(fixing: choices, throughObservations: count, using: &rng)
    }
    func explore(fixing choices: [Address: Value]) throws(ModelError) -> Exploration<Trace> {
        try base.explore(fixing: choices)
    }
}

/// Draws of one column pooled over chains.
func pooled(_ posterior: Posterior, _ address: Address) -> [Double] {
    guard let c = posterior.columnIndex(of: address) else { return [] }
    return posterior.draws.flatMap { $0[c] }
}

func chains(_ posterior: Posterior, _ address: Address) -> [[Double]] {
    guard let c = posterior.columnIndex(of: address) else { return [] }
    return posterior.draws.map { $0[c] }
}

/// Kolmogorov-Smirnov distance between the draws and a cdf.
func ksDistance(_ draws: [Double], _ cdf: (Double) -> Double) -> Double {
    let sorted = draws.sorted()
    let n = Double(sorted.count)
    var d = 0.0
    for (i, x) in sorted.enumerated() {
        let f = cdf(x)
        d = max(d, abs(f - Double(i) / n), abs(Double(i + 1) / n - f))
    }
    return d
}

/// Whether the mean and variance of the draws match, each within 4.5 Monte Carlo standard
/// errors (the variance's from the fourth central moment), assuming the draws have `ess` effective size.
func momentsMatch(_ draws: [Double], mean: Double, variance: Double, ess: Double) -> (Bool, String) {
    let n = Double(draws.count)
    let m = draws.reduce(0, +) / n
    let centred = draws.map { $0 - m }
    let v = centred.map { $0 * $0 }.reduce(0, +) / (n - 1)
    let m4 = centred.map { pow($0, 4) }.reduce(0, +) / n
    let meanError = (variance / ess).squareRoot()
    let varianceError = (max(m4 - v * v, 1e-300) / ess).squareRoot()
    let zMean = (m - mean) / meanError
    let zVariance = (v - variance) / varianceError
    let ok = abs(zMean) < 4.5 && abs(zVariance) < 4.5
    return (ok, "mean \(m) vs \(mean) (z \(zMean)), variance \(v) vs \(variance) (z \(zVariance))")
}
