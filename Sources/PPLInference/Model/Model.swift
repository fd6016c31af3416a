import PPLDistributions

/// One random choice in a trace: where it is, its value, its log density and its support.
public struct ChoiceRecord: Sendable {
    public var address: Address
    public var value: Value
    public var logDensity: Double
    public var support: Support
    /// `file:line:col` of the statement that made it.
    public var location: String?

    public init(address: Address, value: Value, logDensity: Double, support: Support, location: String? = nil) {
        self.address = address
        self.value = value
        self.logDensity = logDensity
        self.support = support
        self.location = location
    }
}

/// What engines may read of a model's trace.
public protocol ModelTrace: Sendable {
    /// Latent choices, in execution order; indices are stable until the next update that changes structure.
    var latentCount: Int { get }
    func latent(_ index: Int) -> ChoiceRecord
    func latentIndex(of address: Address) -> Int?
    /// Sum of latent log densities.
    var logPrior: Double { get }
    /// Sum of observation log densities and factors.
    var logLikelihood: Double { get }
    /// Observations with their log densities (pointwise log-likelihood, predictive checks).
    var observations: [ChoiceRecord] { get }
    /// Named deterministic quantities reported with the choices (`let theta = ...` at model level).
    var deterministic: [(Address, Value)] { get }
    var returnValue: Value? { get }
    /// Both of the above at once: a model that recomputes them after in-place updates
    /// (the VM re-runs the program) does it once per recorded draw instead of twice.
    var reported: (deterministic: [(Address, Value)], returnValue: Value?) { get }
    /// Latent `index`'s value and support without the rest of its record: what a proposal needs,
    /// without building the address on every MH step.
    func latentValueAndSupport(_ index: Int) -> (value: Value, support: Support)
    /// Every latent's value as a number (Int and Bool as 0/1 reals), in latent order, replacing the
    /// contents of `values`; false when some latent is an array. Recording a draw reads them in one call.
    func scalarLatents(into values: inout [Double]) -> Bool
}

extension ModelTrace {
    public var logJoint: Double { logPrior + logLikelihood }
    public var reported: (deterministic: [(Address, Value)], returnValue: Value?) { (deterministic, returnValue) }
    public func latentValueAndSupport(_ index: Int) -> (value: Value, support: Support) {
        let record = latent(index)
        return (record.value, record.support)
    }
    public func scalarLatents(into values: inout [Double]) -> Bool {
        values.removeAll(keepingCapacity: true)
        for k in 0..<latentCount {
            switch latentValueAndSupport(k).value {
            case .real(let x): values.append(x)
            case .int(let n): values.append(Double(n))
            case .bool(let b): values.append(b ? 1 : 0)
            case .array, .matrix: return false
            }
        }
        return true
    }
}

/// What one `advance` of a particle did: the choices it made and the weight it gained.
public struct ParticleStep: Sendable {
    /// log density of the observations (and factors) met in this step.
    public var logWeight: Double
    /// Latent choices made in this step, for the SMC genealogy.
    public var choices: [ChoiceRecord]
    /// The observation the particle stopped at (`file:line:col`), nil when it finished.
    public var observationLocation: String?
    public var finished: Bool

    public init(logWeight: Double, choices: [ChoiceRecord], observationLocation: String?, finished: Bool) {
        self.logWeight = logWeight
        self.choices = choices
        self.observationLocation = observationLocation
        self.finished = finished
    }
}

/// One step of depth-first enumeration of a discrete model.
public enum Exploration<Trace: ModelTrace>: Sendable {
    /// The run finished with every latent choice fixed.
    case complete(Trace)
    /// The run reached an unfixed latent choice with these possible values.
    case branch(Address, [Value])
}

/// The result of an in-place update, with what is needed to undo it.
public struct TraceUpdate<Undo: Sendable>: Sendable {
    /// log p(t') - log p(t), with the prior densities of choices that appeared
    /// (drawn fresh from their priors) removed and of choices that disappeared
    /// added back, so for prior-drawn fresh choices this is the Metropolis-Hastings
    /// ratio before the updated site's own proposal terms and the address-selection
    /// correction (latentCount ratio), which the engine adds.
    public var logWeight: Double
    public var undo: Undo

    public init(logWeight: Double, undo: Undo) {
        self.logWeight = logWeight
        self.undo = undo
    }
}

/// Facts about a model's structure that engines may use.
public struct ModelFacts: Sendable {
    /// No stochastic control flow: the set of addresses is the same in every run.
    public var isStatic: Bool
    /// Whether the model has any observation or factor.
    public var hasObservations: Bool
    /// Every run makes the same choices at the same addresses, though which choice a value is
    /// read from may be random (`mu[z[i]]`); implied by `isStatic`, nil when not analysed.
    public var fixedAddresses: Bool? = nil
    /// Latent sites whose full conditional is closed form, by site (`mu[*]`, `p`), with the
    /// prior family it stays in (`Normal`); found by the `recognise-conjugacy` pass.
    public var conjugatePriors: [String: String] = [:]
    /// The comparison structure of a Bradley-Terry model with its data bound, or why the model is not
    /// one, for the `rank` engine (`recognise-bradley-terry`; nil when not analysed).
    public var bradleyTerry: BradleyTerryAvailability? = nil

    public init(isStatic: Bool, hasObservations: Bool) {
        self.isStatic = isStatic
        self.hasObservations = hasObservations
    }
}

/// The interface engines see: every engine uses only this (Gen's generative-function interface, adapted).
///
/// The VM implements it for IR programs; tests implement it for small Swift models.
public protocol Model: Sendable {
    associatedtype Trace: ModelTrace
    associatedtype Particle: Sendable
    associatedtype Undo: Sendable

    /// Runs forward drawing every latent from its prior and scoring every observation.
    func simulate(using rng: inout RandomStream) throws(ModelError) -> Trace

    /// Runs forward with the given latents fixed (others drawn from their priors).
    func generate(constraints: [Address: Value], using rng: inout RandomStream) throws(ModelError) -> Trace

    /// Log joint density of the trace that these choices determine; -infinity outside the support.
    func assess(_ choices: [Address: Value]) throws(ModelError) -> Double

    /// Sets latent `index` to `value` in place, re-scoring only what depends on it
    /// when the model is static (re-executing with trace reuse otherwise).
    func update(_ trace: inout Trace, latent index: Int, to value: Value,
                using rng: inout RandomStream) throws(ModelError) -> TraceUpdate<Undo>

    /// Restores the trace to what it was before `update`.
    func revert(_ trace: inout Trace, _ update: TraceUpdate<Undo>)

    /// `update`, then `revert` unless `keep(logWeight, &rng)` is true, in one call: the inner step of
    /// Metropolis-Hastings. A model implements it so that the step runs specialised for its trace,
    /// without handing the undo token through the engine's generic code; the default composes the two.
    func update(_ trace: inout Trace, latent index: Int, to value: Value,
                keepIf keep: (_ logWeight: Double, _ rng: inout RandomStream) -> Bool,
                using rng: inout RandomStream) throws(ModelError) -> (logWeight: Double, kept: Bool)

    /// Scores latent `index` at each of `values` over its Markov blanket, lets `choose` pick one
    /// from the log weights, and leaves the trace at the chosen value (as it was when `choose`
    /// returns nil or the current value).
    ///
    /// logWeights[k] = log p(t with x_index = values[k]) - log p(t), what `update` would report,
    /// and -infinity where the model rejects the value (`ModelError.rejectsValue`); a value equal
    /// to the current one weighs 0. Enumeration Gibbs draws from the normalised weights; a
    /// conjugate update reads natural parameters off them. The default scores each value with
    /// `update`/`revert` (`chooseValueByUpdates`); a model that can score a Markov blanket at
    /// several values in one pass, without undo records, overrides it.
    func chooseValue(_ trace: inout Trace, latent index: Int, among values: [Value],
                     choosing choose: (_ logWeights: [Double]) -> Int?,
                     using rng: inout RandomStream) throws(ModelError)

    /// A fresh particle at the start of the program.
    func makeParticle() -> Particle

    /// Runs the particle to its next observation (inclusive) or to the end.
    func advance(_ particle: inout Particle, using rng: inout RandomStream) throws(ModelError) -> ParticleStep

    /// Runs the particle to its next observation (inclusive) or to the end, writing what the
    /// step did into the engine's recorder (already reset); the default wraps `advance(_:using:)`.
    func advance(_ particle: inout Particle, recording step: inout StepRecorder,
                 using rng: inout RandomStream) throws(ModelError)

    /// Advances every particle `particles[i]`, i in `range`, with `finished[i]` false to its next
    /// observation (inclusive) or to the end, then calls `deliver(i, step)` for each of them in
    /// increasing i with what its step recorded. `step` is the engine's recorder for the block
    /// (its `modelContext` persists between calls); the default advances one particle at a time
    /// with `advance(_:recording:using:)`. A model may instead run the block in lockstep (the VM
    /// runs an instruction over every particle at the same program counter), which may draw the
    /// block's random numbers in another order than one particle at a time.
    func advance(_ particles: UnsafeMutablePointer<Particle>, range: Range<Int>, finished: [Bool],
                 recording step: inout StepRecorder, using rng: inout RandomStream,
                 deliver: (Int, inout StepRecorder) -> Void) throws(ModelError)

    /// What a key this model wrote into a `StepRecorder` names.
    func describe(_ key: ChoiceKey) -> ChoiceDescription

    /// `file:line:col` of the observation a recorder's `observation` id names.
    func observationLocation(_ observation: Int) -> String?

    /// Makes `destination` a copy of `source`, reusing `destination`'s storage where it can
    /// (SMC resamples into last generation's particles); the default assigns.
    func copy(_ source: borrowing Particle, into destination: inout Particle)

    /// Resampling's copy loop: `destination[j]` becomes a copy of `source[ancestors[j]]` for j in
    /// `range`, and a particle copied onto itself is left alone. It is the model's so that it runs
    /// specialised for the particle type (the engine's generic code would copy each particle
    /// through value witnesses); the default calls `copy`.
    func copyParticles(from source: UnsafePointer<Particle>, ancestors: [Int], range: Range<Int>,
                       into destination: UnsafeMutablePointer<Particle>)

    /// The whole population of `particles` particles as columns, when every particle of this
    /// model runs the same instructions (control flow that no random choice decides), so that
    /// bootstrap SMC runs each instruction once per block over columns instead of particle by
    /// particle; nil otherwise, and by default. Blocks are `blockSize` particles, as for `advance`.
    func makePopulation(particles: Int, blockSize: Int) -> (any ParticlePopulation)?

    /// The trace of a finished particle's deterministic quantities and return value (SMC rebuilds choices from its genealogy).
    func finalState(of particle: Particle) -> (deterministic: [(Address, Value)], returnValue: Value?)

    /// Re-runs from the start with the given latents fixed (others drawn from their priors)
    /// until it has passed `count` observations, returning the particle positioned
    /// there, the log joint of that prefix and its latent choices; resample-move
    /// SMC rejuvenates particles with it.
    func replay(fixing choices: [Address: Value], throughObservations count: Int,
                using rng: inout RandomStream) throws(ModelError) -> (particle: Particle, logJoint: Double, choices: [ChoiceRecord])

    /// Runs with the given latents fixed and stops at the first unfixed latent choice,
    /// reporting its finite support; throws naming the choice when it is not finite.
    func explore(fixing choices: [Address: Value]) throws(ModelError) -> Exploration<Trace>

    var facts: ModelFacts { get }
}

extension Model {
    @inlinable
    public func update(_ trace: inout Trace, latent index: Int, to value: Value,
                       keepIf keep: (_ logWeight: Double, _ rng: inout RandomStream) -> Bool,
                       using rng: inout RandomStream) throws(ModelError) -> (logWeight: Double, kept: Bool) {
        let update = try self.update(&trace, latent: index, to: value, using: &rng)
        let kept = keep(update.logWeight, &rng)
        if !kept { revert(&trace, update) }
        return (update.logWeight, kept)
    }

    public func chooseValue(_ trace: inout Trace, latent index: Int, among values: [Value],
                            choosing choose: (_ logWeights: [Double]) -> Int?,
                            using rng: inout RandomStream) throws(ModelError) {
        try chooseValueByUpdates(&trace, latent: index, among: values, choosing: choose, using: &rng)
    }

    /// `chooseValue` through `update` and `revert`: one update per value other than the current
    /// one, then one more to set the chosen value; the reference the faster overrides must match.
    public func chooseValueByUpdates(_ trace: inout Trace, latent index: Int, among values: [Value],
                                     choosing choose: (_ logWeights: [Double]) -> Int?,
                                     using rng: inout RandomStream) throws(ModelError) {
        guard index >= 0 && index < trace.latentCount else {
            throw ModelError(.other, "no latent choice number \(index): the trace has \(trace.latentCount)")
        }
        let current = trace.latentValueAndSupport(index).value
        var logWeights = [Double](repeating: -.infinity, count: values.count)
        for (k, value) in values.enumerated() {
            if value == current { logWeights[k] = 0; continue }
            do throws(ModelError) {
                let update = try update(&trace, latent: index, to: value, using: &rng)
                revert(&trace, update)
                if !update.logWeight.isNaN { logWeights[k] = update.logWeight }
            } catch {
                guard error.rejectsValue else { throw error }
            }
        }
        guard let chosen = choose(logWeights), values.indices.contains(chosen), values[chosen] != current else { return }
        _ = try update(&trace, latent: index, to: values[chosen], using: &rng)
    }

    public func advance(_ particle: inout Particle, recording step: inout StepRecorder,
                        using rng: inout RandomStream) throws(ModelError) {
        let result = try advance(&particle, using: &rng)
        step.logWeight = result.logWeight
        step.finished = result.finished
        step.observationLocation = result.observationLocation
        for record in result.choices { step.record(record) }
    }

    public func advance(_ particles: UnsafeMutablePointer<Particle>, range: Range<Int>, finished: [Bool],
                        recording step: inout StepRecorder, using rng: inout RandomStream,
                        deliver: (Int, inout StepRecorder) -> Void) throws(ModelError) {
        for i in range where !finished[i] {
            step.reset()
            try advance(&particles[i], recording: &step, using: &rng)
            deliver(i, &step)
        }
    }

    public func describe(_ key: ChoiceKey) -> ChoiceDescription {
        ChoiceDescription(address: Address("#\(key.site)").appending(index: key.index), support: .real, kind: .real)
    }

    public func observationLocation(_ observation: Int) -> String? { nil }

    public func makePopulation(particles: Int, blockSize: Int) -> (any ParticlePopulation)? { nil }

    public func copy(_ source: borrowing Particle, into destination: inout Particle) { destination = copy source }

    public func copyParticles(from source: UnsafePointer<Particle>, ancestors: [Int], range: Range<Int>,
                              into destination: UnsafeMutablePointer<Particle>) {
        for j in range where source + ancestors[j] != UnsafePointer(destination + j) {
            copy(source[ancestors[j]], into: &destination[j])
        }
    }
}
