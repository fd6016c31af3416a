import Foundation
import PPLDistributions

/// Exact inference for models whose latent choices all have finite support, by depth-first enumeration.
///
/// p(x | y) = p(x, y) / Z with Z = Σ_x p(x, y), summed over every complete assignment x
/// that `Model.explore` reaches (stochastic control flow included: only the choices a
/// branch actually makes are enumerated). The cost is the number of assignments.
/// Pearl (1988), Probabilistic Reasoning in Intelligent Systems, ch. 4 (brute-force marginalisation).
public struct Enumerate: Sendable {
    /// Stop with an error rather than run for ever on a model with too many assignments.
    public var maximumAssignments: Int
    /// Recorded in the posterior; enumeration itself draws nothing.
    public var seed: UInt64

    public init(maximumAssignments: Int = 1_000_000, seed: UInt64 = 0) {
        self.maximumAssignments = maximumAssignments
        self.seed = seed
    }

    /// The exact posterior, with log evidence and marginals.
    ///
    /// Throws the model's own error naming the first choice without finite support,
    /// or an error when there are more than `maximumAssignments` assignments or
    /// every assignment has probability zero. Cancellation stops the walk and returns
    /// the assignments found so far (then neither normalised nor exact).
    public func run<M: Model>(_ model: M) throws(ModelError) -> ExactPosterior {
        var table = WeightedDrawTable()
        var assignments: [[Address: Value]] = []
        var cancelled = false

        // An explicit stack of partial assignments keeps deep models off the call stack.
        var pending: [[Address: Value]] = [[:]]
        while let fixed = pending.popLast() {
            if Task.isCancelled { cancelled = true; break }
            switch try model.explore(fixing: fixed) {
            case .branch(let address, let values):
                guard fixed[address] == nil else {
                    throw ModelError(.other, "enumeration reached choice '\(address)' again after fixing it; the model's explore is inconsistent", address: address)
                }
                guard !values.isEmpty else {
                    throw ModelError(.unsupportedByEngine, "choice '\(address)' has an empty support", address: address)
                }
                // Pushed in reverse so assignments come out in the order the values are listed.
                for value in values.reversed() {
                    var next = fixed
                    next[address] = value
                    pending.append(next)
                }
            case .complete(let trace):
                guard assignments.count < maximumAssignments else {
                    throw ModelError(.unsupportedByEngine, "enumeration stopped after \(maximumAssignments) assignments; the model has too many for exact inference, use smc or mh")
                }
                let logJoint = trace.logJoint
                guard !logJoint.isNaN else {
                    throw ModelError(.notFinite, "log joint density is NaN for the assignment \(Self.describe(fixed))")
                }
                table.add(latents: (0..<trace.latentCount).lazy.map { i in
                              let record = trace.latent(i)
                              return (record.address, record.value)
                          },
                          deterministic: trace.deterministic, returnValue: trace.returnValue,
                          logWeight: logJoint)
                assignments.append(fixed)
            }
        }

        let logEvidence = LogWeights.logSumExp(table.logWeights)
        if !cancelled && logEvidence == -.infinity {
            throw ModelError(.other, "every one of the \(assignments.count) assignments has probability zero given the observations; the data are impossible under the model")
        }
        let logWeights = table.logWeights.map { $0 - logEvidence }
        var diagnostics = EngineDiagnostics()
        diagnostics.extra["assignments"] = Double(assignments.count)
        if !model.facts.hasObservations {
            diagnostics.warnings.append("the model has no observations: the posterior is the prior")
        }
        let posterior = Posterior(engine: "enumerate", seed: seed, columns: table.columns,
                                  columnIsInteger: table.columnIsInteger, draws: [table.draws],
                                  logWeights: [logWeights], logEvidence: cancelled ? nil : logEvidence,
                                  diagnostics: diagnostics, cancelled: cancelled)
        var exact = posterior
        exact.isExact = true
        return ExactPosterior(posterior: exact, logEvidence: logEvidence)
    }

    static func describe(_ fixed: [Address: Value]) -> String {
        fixed.sorted { $0.key < $1.key }.map { "\($0.key) = \($0.value)" }.joined(separator: ", ")
    }
}

/// The result of exact enumeration: every assignment with its normalised weight.
public struct ExactPosterior: Sendable {
    /// One "chain" whose draws are the assignments and whose log weights are log p(x | y).
    public var posterior: Posterior
    /// log p(y) = log Σ_x p(x, y).
    public var logEvidence: Double

    /// P(column = v | y) for each value v the column takes, in increasing order of v.
    public func marginal(of column: Address) -> [(value: Double, probability: Double)]? {
        guard let c = posterior.columnIndex(of: column), let logWeights = posterior.logWeights?.first else { return nil }
        var mass: [Double: Double] = [:]
        for (x, logWeight) in zip(posterior.draws[0][c], logWeights) where !x.isNaN {
            mass[x, default: 0] += exp(logWeight)
        }
        return mass.sorted { $0.key < $1.key }.map { (value: $0.key, probability: $0.value) }
    }

    /// E[column | y], over the assignments in which the column exists.
    public func mean(of column: Address) -> Double? {
        guard let marginal = marginal(of: column) else { return nil }
        let total = marginal.reduce(0) { $0 + $1.probability }
        return marginal.reduce(0) { $0 + $1.value * $1.probability } / total
    }
}
