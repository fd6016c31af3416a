import Foundation
import PPLDistributions

/// Gibbs sampling with interleaved kernels: each sweep updates every latent address in
/// program order with the kernel its schedule names.
///
/// Conjugate sites get an exact draw from their closed-form full conditional, finite
/// discrete sites are enumerated over their Markov blanket, continuous sites take a slice
/// step on the unconstrained scale (Neal 2003) and the rest a Metropolis-Hastings step
/// (Geman & Geman 1984; Gelfand & Smith 1990; Tierney 1994 for mixing kernels). Every
/// kernel leaves the full conditional p(x_a | x_-a, y) invariant, so the sweep leaves the
/// posterior invariant. Counts follow DESIGN.md: `samples` draws kept per chain after
/// `warmup` sweeps, one every `thin` sweeps; chain c draws from
/// `RandomStream(seed: seed, stream: c)`, so results do not depend on the thread count.
/// Kernels other than `mh` need a model whose addresses do not change from run to run
/// (`ModelFacts.isStatic` or `fixedAddresses`); on other models every site gets `mh`
/// under a random scan, as in the MH engine.
public struct Gibbs: Sendable {
    /// Draws kept per chain.
    public var samples: Int
    /// Warm-up sweeps per chain, discarded (slice widths and MH steps adapt); nil means `samples`.
    public var warmup: Int?
    /// Keep one draw every `thin` sweeps.
    public var thin: Int
    public var chains: Int
    public var seed: UInt64
    /// Which kernel updates which address; `.auto` picks per address.
    public var schedule: GibbsSchedule
    /// Starting values by address; the rest are drawn from the prior.
    public var inits: [Address: Value]
    /// Attempts at a starting point with non-zero density before giving up.
    public var initAttempts: Int
    /// Conjugate updates per site and chain whose fitted conditional is checked at one more
    /// point (a recognition the model does not bear out is then caught, not used); `Int.max` checks all.
    public var conjugacyChecks: Int
    /// Finite discrete choices with more values than this are not enumerated under `auto`.
    public var maxEnumeratedValues: Int
    /// At most this many chains run at once; nil for all.
    public var maxConcurrentChains: Int?
    /// A deliberately wrong kernel for the negative controls in tests.
    var fault: GibbsFault = .none

    public init(samples: Int = 1_000, warmup: Int? = nil, thin: Int = 1, chains: Int = 4, seed: UInt64 = 0,
                schedule: GibbsSchedule = .auto, inits: [Address: Value] = [:], initAttempts: Int = 100,
                conjugacyChecks: Int = 20, maxEnumeratedValues: Int = 1_000, maxConcurrentChains: Int? = nil) {
        self.samples = samples
        self.warmup = warmup
        self.thin = thin
        self.chains = chains
        self.seed = seed
        self.schedule = schedule
        self.inits = inits
        self.initAttempts = initAttempts
        self.conjugacyChecks = conjugacyChecks
        self.maxEnumeratedValues = maxEnumeratedValues
        self.maxConcurrentChains = maxConcurrentChains
    }

    /// The engine's name as users write it.
    public static let name = "gibbs"

    func validate() throws(ModelError) {
        try ChainStart.validate(engine: Self.name, samples: samples, warmup: warmup, thin: thin, chains: chains,
                                maxConcurrentChains: maxConcurrentChains)
        if conjugacyChecks < 0 {
            throw ChainStart.badOption(Self.name, "conjugacyChecks", "non-negative", String(conjugacyChecks))
        }
        if maxEnumeratedValues < 2 {
            throw ChainStart.badOption(Self.name, "maxEnumeratedValues", "at least 2", String(maxEnumeratedValues))
        }
    }

    /// Runs every chain and returns their draws, with the kernel each address got in `diagnostics.schedule`.
    public func run<M: Model>(_ model: M) async throws(ModelError) -> Posterior {
        try validate()
        let settings = self
        let results: [GibbsChain<M>.Result] = await withTaskGroup(of: (Int, GibbsChain<M>.Result).self) { group in
            let limit = min(chains, maxConcurrentChains ?? chains)
            var next = 0
            func launch(_ c: Int) {
                group.addTask { (c, GibbsChain(model: model, settings: settings, chainIndex: c).run()) }
            }
            while next < limit { launch(next); next += 1 }
            var collected = [GibbsChain<M>.Result?](repeating: nil, count: chains)
            while let (c, result) = await group.next() {
                collected[c] = result
                if next < chains { launch(next); next += 1 }
            }
            return collected.compactMap { $0 }
        }
        if let error = results.lazy.compactMap(\.error).first { throw error }
        return assemble(results)
    }

    private func assemble<M: Model>(_ results: [GibbsChain<M>.Result]) -> Posterior {
        let count = results.map(\.columns.drawCount).min() ?? 0
        let layout = ColumnLayout(results.map(\.columns))
        var posterior = Posterior(engine: Self.name, seed: seed, columns: layout.addresses,
                                  columnIsInteger: layout.isInteger,
                                  draws: results.map { layout.draws(of: $0.columns, count: count) },
                                  cancelled: results.contains { $0.cancelled })
        posterior.sampleStatistics = ["lp__": results.map { Array($0.logJoint.prefix(count)) }]

        // The schedule as chosen per address, with a bare root where all its elements agree.
        var labels: [Address: String] = [:]
        var order: [Address] = []
        for result in results {
            for (address, label) in result.schedule {
                if let old = labels[address] {
                    if old != label { labels[address] = old + " / " + label }
                } else {
                    labels[address] = label
                    order.append(address)
                }
            }
        }
        posterior.diagnostics.schedule = Gibbs.collapse(order.map { ($0, labels[$0] ?? "") })

        var accepted: [Address: Int] = [:]
        var proposed: [Address: Int] = [:]
        var counters: [String: Double] = [:]
        for result in results {
            for (address, n) in result.proposed {
                proposed[address, default: 0] += n
                accepted[address, default: 0] += result.accepted[address] ?? 0
            }
            for (key, value) in result.counters { counters[key, default: 0] += value }
        }
        for (address, n) in proposed where n > 0 {
            posterior.diagnostics.acceptanceRate[address] = Double(accepted[address] ?? 0) / Double(n)
        }
        posterior.diagnostics.extra = counters
        var warnings: [String] = []
        for result in results { for w in result.warnings where !warnings.contains(w) { warnings.append(w) } }
        posterior.diagnostics.warnings = warnings
        posterior.diagnostics.warnings += MetropolisHastings().convergenceWarnings(posterior)
        if posterior.cancelled {
            posterior.diagnostics.warnings.append("the run was cancelled: \(count) draws per chain were kept")
        }
        return posterior
    }

    /// `z[0]..z[n]` all with one label become `z`; anything else is listed as it is.
    static func collapse(_ schedule: [(Address, String)]) -> [(Address, String)] {
        var byRoot: [String: [(Address, String)]] = [:]
        var roots: [String] = []
        for (address, label) in schedule {
            let collapsible = address.components.count > 1
                && address.components.dropFirst().allSatisfy { if case .index = $0 { true } else { false } }
            let key = collapsible ? address.root : "\u{0}" + address.description
            if byRoot[key] == nil { roots.append(key) }
            byRoot[key, default: []].append((address, label))
        }
        var out: [(Address, String)] = []
        for key in roots {
            let group = byRoot[key] ?? []
            if !key.hasPrefix("\u{0}"), group.count > 1, Set(group.map(\.1)).count == 1 {
                out.append((Address(key), group[0].1))
            } else {
                out += group
            }
        }
        return out
    }
}

/// Deliberately wrong kernels for the negative controls in tests.
enum GibbsFault: Sendable, Equatable {
    case none
    /// Scale the natural parameters of conjugate conditionals and the log weights of
    /// enumerated values by this factor: a tempered, wrong conditional.
    case temper(Double)
    /// Slice sampling without the Jacobian of the unconstrained transform.
    case dropJacobian
}
