import PPLDistributions

/// What a `SwiftModel` body calls to make random choices, observe data and add factors.
///
/// The context is valid only while the body runs: do not keep it, and do not catch
/// the errors its methods throw (they also stop runs early for SMC and enumeration).
public final class SwiftModelContext {
    /// What to do at a latent choice with no fixed value.
    enum Missing {
        /// Draw it from its prior (simulate, generate, update, advance).
        case draw
        /// Fail naming the address (assess).
        case fail
        /// Stop and report its finite support (explore).
        case branch
    }

    let fixed: [Address: Value]
    let missing: Missing
    // Valid only during the body's run: the caller holds the stream with withUnsafeMutablePointer.
    let rng: UnsafeMutablePointer<RandomStream>?
    /// Stop the run as soon as this many observations have been made.
    let stopAfterObservations: Int?
    /// Observations already passed by a particle: later weights and choices belong to this step.
    let stepStartObservations: Int

    var trace = SwiftTrace()
    var observationCount = 0
    /// Sum of prior log densities of choices drawn rather than fixed (for update's ratio).
    var freshLogPrior = 0.0
    var freshCount = 0
    /// Log density of observations and factors after `stepStartObservations`.
    var stepLogWeight = 0.0
    /// Index in `trace.latents` of the first choice made in this step.
    var stepFirstLatent: Int?
    var lastObservationLocation: String?

    /// Draw every observation afresh instead of scoring the data (predictive checks).
    var predictsObservations = false
    var predicted: [(Address, Value)] = []

    init(fixed: [Address: Value], missing: Missing, rng: UnsafeMutablePointer<RandomStream>?,
         stopAfterObservations: Int? = nil, stepStartObservations: Int = 0) {
        self.fixed = fixed
        self.missing = missing
        self.rng = rng
        self.stopAfterObservations = stopAfterObservations
        self.stepStartObservations = stepStartObservations
    }

    /// Makes the latent choice `address ~ distribution` and returns its value.
    ///
    /// The value is the fixed one when the run has one for `address` (constraints,
    /// MCMC proposals, replayed particles), otherwise a draw from `distribution`.
    @discardableResult
    public func sample<D: Distribution>(_ address: Address, _ distribution: D,
                                        file: StaticString = #fileID, line: UInt = #line) throws -> D.Sample
    where D.Sample: ChoiceValue {
        if trace.indexByAddress[address] != nil {
            throw ModelError(.other, "two random choices use the address '\(address)'; give each a distinct address",
                             location: "\(file):\(line)", address: address)
        }
        if observationCount >= stepStartObservations && stepFirstLatent == nil {
            stepFirstLatent = trace.latents.count
        }
        let draw: D.Sample
        if let given = fixed[address] {
            guard let x = D.Sample(choiceValue: given) else {
                throw ModelError(.other, "the value \(given) given for '\(address)' is not a possible draw of this distribution (support \(distribution.support))",
                                 location: "\(file):\(line)", address: address)
            }
            draw = x
        } else {
            switch missing {
            case .draw:
                guard let rng else {
                    throw ModelError(.other, "no value given for the latent choice '\(address)'",
                                     location: "\(file):\(line)", address: address)
                }
                draw = distribution.sample(using: &rng.pointee)
            case .fail:
                throw ModelError(.other, "no value given for the latent choice '\(address)'",
                                 location: "\(file):\(line)", address: address)
            case .branch:
                guard let values = D.Sample.finiteValues(of: distribution.support) else {
                    throw ModelError(.unsupportedByEngine,
                                     "the latent choice '\(address)' has support \(distribution.support), which cannot be enumerated",
                                     location: "\(file):\(line)", address: address)
                }
                throw BranchSignal(address: address, values: values)
            }
        }
        let logDensity = distribution.logDensity(draw)
        if logDensity.isNaN {
            throw ModelError(.notFinite, "the log density of '\(address)' is NaN", location: "\(file):\(line)", address: address)
        }
        if fixed[address] == nil { freshLogPrior += logDensity; freshCount += 1 }
        trace.indexByAddress[address] = trace.latents.count
        trace.latents.append(SwiftChoice(address: address, value: draw.choiceValue, logDensity: logDensity,
                                         support: distribution.support, file: file, line: line))
        trace.logPrior += logDensity
        return draw
    }

    /// Observes `value` from `distribution`, adding its log density to the log likelihood.
    ///
    /// `address` names the observation in pointwise log-likelihoods; it defaults to `observe[k]`
    /// for the k-th observation of the run (0-based).
    public func observe<D: Distribution>(_ distribution: D, _ value: D.Sample, at address: Address? = nil,
                                         file: StaticString = #fileID, line: UInt = #line) throws
    where D.Sample: ChoiceValue {
        let name = address ?? Address([.name("observe"), .index(observationCount)])
        if predictsObservations, let rng {
            predicted.append((name, distribution.sample(using: &rng.pointee).choiceValue))
            observationCount += 1
            return
        }
        let logDensity = distribution.logDensity(value)
        if logDensity.isNaN {
            throw ModelError(.notFinite, "the log density of the observation '\(name)' is NaN",
                             location: "\(file):\(line)", address: name)
        }
        observationCount += 1
        trace.observationChoices.append(SwiftChoice(address: name, value: value.choiceValue, logDensity: logDensity,
                                                    support: distribution.support, file: file, line: line))
        trace.logLikelihood += logDensity
        if observationCount > stepStartObservations { stepLogWeight += logDensity }
        lastObservationLocation = "\(file):\(line)"
        if let stop = stopAfterObservations, observationCount >= stop { throw StopSignal() }
    }

    /// Adds `logWeight` to the log likelihood (a soft constraint); it must not be NaN or +infinity.
    public func factor(_ logWeight: Double, file: StaticString = #fileID, line: UInt = #line) throws {
        guard !logWeight.isNaN, logWeight != .infinity else {
            throw ModelError(.notFinite, "factor(\(formatReal(logWeight))): the log weight must be finite or -inf",
                             location: "\(file):\(line)")
        }
        trace.logLikelihood += logWeight
        if observationCount >= stepStartObservations { stepLogWeight += logWeight }
    }

    /// Reports a named deterministic quantity with the choices (`let theta = ...` at model level).
    public func deterministic(_ address: Address, _ value: some ChoiceValue) {
        trace.deterministic.append((address, value.choiceValue))
    }

    /// Sets the run's return value.
    public func returns(_ value: some ChoiceValue) {
        trace.returnValue = value.choiceValue
    }
}

/// Thrown by the context to end a run at an observation (particles) or at a branch point (enumeration).
struct StopSignal: Error {}

struct BranchSignal: Error {
    var address: Address
    var values: [Value]
}
