import Foundation

/// The `rank` engine on a model: Bradley-Terry strengths by Newman's or Zermelo's iteration (MLE,
/// or MAP under Newman's prior) or by Caron & Doucet's Gibbs sampler (Gamma prior), on the
/// comparison structure the model exposes in `facts.bradleyTerry`.
///
/// The prior decides the default: Gamma(a, b) on strengths gives `bayes` (exact for that model),
/// Logistic(0, 1) on log-strengths gives Newman's MAP (his Eq. 26 is that prior); `prior: none`
/// asks for the maximum-likelihood estimate, whose scale is fixed by centring log-strengths to
/// mean 0. Results are reported on the model's own scale, at the model's addresses.
/// Newman, JMLR 24(238) 2023; Zermelo 1929; Caron & Doucet, JCGS 21(1) 2012.
public struct BradleyTerryEngine: Sendable {
    public enum Method: String, Sendable, CaseIterable { case newman, zermelo, bayes }

    /// nil: from the model's prior.
    public var method: Method?
    /// false: ignore the model's prior and return the MLE.
    public var usePrior = true
    /// What to do when the MLE does not exist on all items (nil: say so and stop).
    public var component: RankingRequest.ComponentPolicy?
    public var tolerance = 1e-12
    public var maxIterations = 100_000
    public var samples = 1_000
    public var warmup: Int?
    public var thin = 1
    public var chains = 4
    public var seed: UInt64 = 0
    /// Bayes reports each item's rank per draw (`s_rank[k]`) up to this many items.
    public static let rankColumnLimit = 1_000

    public init(method: Method? = nil, usePrior: Bool = true, component: RankingRequest.ComponentPolicy? = nil,
                tolerance: Double = 1e-12, maxIterations: Int = 100_000, samples: Int = 1_000, warmup: Int? = nil,
                thin: Int = 1, chains: Int = 4, seed: UInt64 = 0) {
        self.method = method
        self.usePrior = usePrior
        self.component = component
        self.tolerance = tolerance
        self.maxIterations = maxIterations
        self.samples = samples
        self.warmup = warmup
        self.thin = thin
        self.chains = chains
        self.seed = seed
    }

    public func run<M: Model>(_ model: M) throws(ModelError) -> Posterior {
        let structure: BradleyTerryStructure
        switch model.facts.bradleyTerry {
        case .available(let s)?: structure = s
        case .unavailable(let reason)?: throw ModelError(.unsupportedByEngine, reason)
        case nil:
            throw ModelError(.unsupportedByEngine, "the rank engine needs the model's Bradley-Terry structure, "
                             + "which the 'recognise-bradley-terry' pass finds; this model does not expose one")
        }
        let place = structure.location.isEmpty ? "" : " (\(structure.location))"
        let method = try chooseMethod(structure, place: place)
        do {
            switch method {
            case .bayes: return try sample(structure)
            case .newman, .zermelo: return try estimate(structure, method: method)
            }
        } catch {
            throw ModelError(.other, "rank\(place): \(error)")
        }
    }

    func chooseMethod(_ s: BradleyTerryStructure, place: String) throws(ModelError) -> Method {
        let known = "the rank engine knows a Gamma prior on strengths ('s[k] ~ Gamma(a, b)' with 'BradleyTerry(s[i], s[j])'; "
            + "method bayes) and Newman's Logistic(0, 1) prior on log-strengths ('b[k] ~ Logistic(0, 1)' with "
            + "'Bernoulli(logistic(b[i] - b[j]))'; MAP)"
        let chosen = method ?? {
            if !usePrior { return .newman }
            if case .gamma = s.prior { return .bayes }
            return .newman
        }()
        switch chosen {
        case .bayes:
            guard usePrior, case .gamma = s.prior else {
                throw ModelError(.unsupportedByEngine, "method bayes samples the posterior under a Gamma prior on strengths; "
                                 + "this model's prior is \(usePrior ? s.prior.description : "switched off by 'prior: none'")\(place)")
            }
            guard s.home == nil, s.tie == nil else {
                throw ModelError(.unsupportedByEngine, "method bayes handles plain Bradley-Terry only; this model has "
                                 + [s.home.map { "a home factor '\($0)'" }, s.tie.map { "a tie parameter '\($0)'" }]
                    .compactMap { $0 }.joined(separator: " and ") + "\(place): use method newman or another engine (mh)")
            }
        case .newman, .zermelo:
            guard usePrior else { break }
            switch s.prior {
            case .newman: break
            case .gamma:
                throw ModelError(.unsupportedByEngine, "method \(chosen.rawValue) gives the MLE, or the MAP under Newman's prior; "
                                 + "this model's prior is \(s.prior)\(place): use method bayes, or 'prior: none' for the MLE")
            case .other(let written):
                throw ModelError(.unsupportedByEngine, "\(known); this model's prior is \(written): write one of those, "
                                 + "pass 'prior: none' for the maximum-likelihood estimate, or use another engine (mh)")
            }
        }
        return chosen
    }

    /// Address of item k's latent.
    func address(_ s: BradleyTerryStructure, _ k: Int) -> Address { Address(s.strengths).appending(index: k) }

    func sample(_ s: BradleyTerryStructure) throws(BradleyTerryError) -> Posterior {
        guard case .gamma(let shape, let rate) = s.prior else { throw .numerical("internal error: bayes without a Gamma prior") }
        guard !s.data.comparisons.isEmpty else { throw .empty }
        let graph = ComparisonGraph(s.data)
        let sampler = BradleyTerryGibbs(shape: shape, rate: rate, samples: samples, warmup: warmup, thin: thin, chains: chains)
        var posterior = try sampler.sample(graph, seed: seed)
        let n = s.data.itemCount
        // Each item's rank in each draw (1 = strongest): its mean is the expected rank, its histogram
        // the probability of each position. Left out for many items, where a column per item is noise.
        let rankRoot = s.strengths + "_rank"
        if n <= Self.rankColumnLimit {
            for c in posterior.draws.indices {
                let drawCount = posterior.draws[c].first?.count ?? 0
                var ranks = Array(repeating: [Double](repeating: 0, count: drawCount), count: n)
                var order = Array(0..<n)
                for d in 0..<drawCount {
                    order.sort { posterior.draws[c][$0][d] > posterior.draws[c][$1][d] }
                    for (position, item) in order.enumerated() { ranks[item][d] = Double(position + 1) }
                }
                posterior.draws[c] += ranks
            }
        } else {
            posterior.diagnostics.warnings.append("no '\(rankRoot)' columns: \(n) items exceed \(Self.rankColumnLimit)")
        }
        // The sampler draws log-strengths; the model's latents are strengths.
        for c in posterior.draws.indices { for k in 0..<n { posterior.draws[c][k] = posterior.draws[c][k].map { exp($0) } } }
        let ranked = n <= Self.rankColumnLimit
        posterior.columns = (0..<n).map { address(s, $0) } + (ranked ? (0..<n).map { Address(rankRoot).appending(index: $0) } : [])
        posterior.columnIsInteger = Array(repeating: false, count: n) + Array(repeating: true, count: ranked ? n : 0)
        posterior.diagnostics.schedule = [(Address(s.strengths), "gibbs with gamma latent variables (Caron & Doucet 2012)")]
        return posterior
    }

    func estimate(_ s: BradleyTerryStructure, method: Method) throws(BradleyTerryError) -> Posterior {
        guard !s.data.comparisons.isEmpty else { throw .empty }
        var prior: BradleyTerryOptions.Prior = usePrior && s.prior == .newman ? .newman : .none
        let ties: ComparisonGraph.TieHandling = s.tie != nil ? .davidson : .half
        let home = s.home != nil
        var notes: [String] = []
        var kept = Array(0..<s.data.itemCount)
        var working = s.data
        let graph = ComparisonGraph(s.data, ties: ties, home: home)
        if prior == .none {
            let components = graph.stronglyConnectedComponents()
            if components.count > 1 {
                switch component {
                case .largest?:
                    kept = components.largest.sorted()
                    working = s.data.restricted(to: kept)
                    notes.append("the win graph has \(components.count) strongly connected components; estimated the largest "
                                 + "(\(kept.count) of \(s.data.itemCount) items); the others have no estimate")
                case .prior?:
                    prior = .newman
                    notes.append("the win graph has \(components.count) strongly connected components; used Newman's "
                                 + "Logistic(0, 1) prior on log-strengths (MAP) so every item has an estimate")
                case nil:
                    let error = components.notConnectedError(itemNames: s.data.itemNames)
                    throw .numerical(error.description.replacingOccurrences(
                        of: "restrict to the largest component ('--component largest') or add a prior ('--prior newman')",
                        with: "estimate the largest component ('rank(component: largest)') or use Newman's prior ('rank(component: prior)')"))
                }
            }
        }
        let workingGraph = kept.count == s.data.itemCount ? graph : ComparisonGraph(working, ties: ties, home: home)
        let options = BradleyTerryOptions(method: method == .zermelo ? .zermelo : .newman, prior: prior, ties: ties,
                                          homeAdvantage: home, tolerance: tolerance, maxIterations: maxIterations)
        let fit = try BradleyTerry.fit(workingGraph, options: options, itemNames: working.itemNames)
        guard fit.converged else { throw .notConverged(method: method.rawValue, iterations: fit.iterations, change: fit.finalChange) }
        let parameterCount = working.itemCount + (s.tie != nil ? 1 : 0) + (home ? 1 : 0)
        var intervals: BradleyTerryIntervals?
        if parameterCount <= BradleyTerryIntervals.defaultLimit {
            intervals = try BradleyTerryIntervals(fit: fit, graph: workingGraph)
        } else {
            notes.append("standard errors skipped: \(parameterCount) parameters exceed \(BradleyTerryIntervals.defaultLimit)")
        }
        // Log-scale value and standard error per column; strengths are reported as exp of them.
        let z = 1.6448536269514722
        var columns: [Address] = []
        var values: [Double] = [], errors: [Double] = [], lower: [Double] = [], upper: [Double] = []
        func add(_ a: Address, logValue: Double, logError: Double?, positive: Bool) {
            let se = logError ?? .nan
            columns.append(a)
            if positive {
                let x = exp(logValue)
                values.append(x); errors.append(x * se); lower.append(exp(logValue - z * se)); upper.append(exp(logValue + z * se))
            } else {
                values.append(logValue); errors.append(se); lower.append(logValue - z * se); upper.append(logValue + z * se)
            }
        }
        var position = Array(repeating: -1, count: s.data.itemCount)
        for (k, item) in kept.enumerated() { position[item] = k }
        for item in 0..<s.data.itemCount {
            let k = position[item]
            guard k >= 0 else {
                columns.append(address(s, item))
                values.append(.nan); errors.append(.nan); lower.append(.nan); upper.append(.nan)
                continue
            }
            let logValue = prior == .none ? fit.scores[k] : fit.logStrengths[k]
            let logError = prior == .none ? intervals?.standardErrors[k] : intervals?.logStrengthErrors?[k]
            add(address(s, item), logValue: logValue, logError: logError, positive: s.scale == .strength)
        }
        if let h = s.home, let theta = fit.homeAdvantage {
            add(Address(h), logValue: log(theta), logError: intervals?.logHomeAdvantageError, positive: !s.homeIsLogScale)
        }
        if let t = s.tie, let nu = fit.tieParameter {
            add(Address(t), logValue: log(nu), logError: intervals?.logTieParameterError, positive: true)
        }
        if prior == .none {
            notes.append("maximum likelihood: strengths are known only up to a common factor, so log-strengths are centred to mean 0")
        }
        if fit.damping < 1 { notes.append("the iteration oscillated and was damped (factor \(fit.damping))") }
        var extra: [String: Double] = ["iterations": Double(fit.iterations), "logLikelihood": fit.logLikelihood,
                                       "finalChange": fit.finalChange, "tolerance": tolerance]
        if let logPrior = fit.logPrior { extra["logPrior"] = logPrior }
        var posterior = Posterior(engine: "rank", seed: seed, columns: columns,
                                  columnIsInteger: Array(repeating: false, count: columns.count),
                                  draws: [values.map { [$0] }],
                                  diagnostics: EngineDiagnostics(schedule: [(Address(s.strengths), "\(method.rawValue) iteration")],
                                                                 warnings: notes, extra: extra))
        posterior.pointEstimate = PointEstimate(kind: prior == .none ? "mle" : "map", standardErrors: errors,
                                                lower: lower, upper: upper)
        return posterior
    }
}
