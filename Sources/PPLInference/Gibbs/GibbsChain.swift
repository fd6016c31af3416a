import Foundation
import PPLDistributions

/// One chain of Gibbs sweeps with interleaved kernels.
///
/// On models with fixed addresses a sweep visits every latent once (systematic scan): the
/// addresses of the schedule's entries first, in the entries' order, then the rest in trace
/// order; each site's kernel is resolved once, from the schedule, the model's facts and the
/// site's support. Otherwise every site takes MH steps under the MH engine's random scan.
struct GibbsChain<M: Model>: Sendable {
    let model: M
    let settings: Gibbs
    let chainIndex: Int

    /// How one site is updated.
    enum SiteKernel: Sendable {
        case conjugate(ConjugateFamily)
        case enumerate([Value])
        case slice(SliceTransform)
        case mh
    }

    /// Per-site state: its kernel and what the kernels adapt or count.
    struct Site: Sendable {
        var address: Address
        var kernel: SiteKernel
        /// Whether the user's schedule named this kernel (a failed conjugacy check is then an error).
        var requested: Bool
        var label: String
        var sliceWidth = 1.0
        var jumpSum = 0.0
        var jumpCount = 0
        var logStepSize = 0.0
        var adaptations = 0
        var accepted = 0
        var proposed = 0
        var conjugateScale = Double.nan
        var checksDone = 0
        /// The conjugate site's full conditional at its last update, the proposal of the next one's coupling.
        var lastConditional: ConjugateMember?
    }

    struct Result: Sendable {
        var columns = ColumnStore()
        var logJoint: [Double] = []
        var schedule: [(Address, String)] = []
        var accepted: [Address: Int] = [:]
        var proposed: [Address: Int] = [:]
        var counters: [String: Double] = [:]
        var warnings: [String] = []
        var cancelled = false
        var error: ModelError?
    }

    var sites: [Site] = []
    /// The order a sweep visits sites: those of the schedule's entries in the entries' order, then the rest, each in trace order.
    var scan: [Int] = []
    var siteByAddress: [Address: Int] = [:]
    var result = Result()
    var fixedStructure: Bool
    var sweepLength = 0
    /// Counts of updates by kind, kept as numbers on the hot path and reported in `result.counters` at the end.
    var tallies = Tallies()

    struct Tallies: Sendable {
        var conjugateUpdates = 0
        var conjugateCoupled = 0
        var enumerationUpdates = 0
        var sliceUpdates = 0
        var sliceEvaluations = 0

        func add(to counters: inout [String: Double]) {
            for (key, value) in [("conjugateUpdates", conjugateUpdates), ("conjugateCoupled", conjugateCoupled),
                                 ("enumerationUpdates", enumerationUpdates), ("sliceUpdates", sliceUpdates),
                                 ("sliceEvaluations", sliceEvaluations)] where value > 0 {
                counters[key, default: 0] += Double(value)
            }
        }
    }

    init(model: M, settings: Gibbs, chainIndex: Int) {
        self.model = model
        self.settings = settings
        self.chainIndex = chainIndex
        self.fixedStructure = model.facts.isStatic || model.facts.fixedAddresses == true
    }

    consuming func run() -> Result {
        var rng = RandomStream(seed: settings.seed, stream: UInt64(chainIndex))
        do throws(ModelError) {
            var trace = try initialTrace(using: &rng)
            try resolveSites(trace)
            let warmup = settings.warmup ?? settings.samples
            sweepLength = trace.latentCount
            for _ in 0..<warmup {
                if Task.isCancelled { result.cancelled = true; break }
                try sweep(&trace, adapting: true, using: &rng)
            }
            if !result.cancelled {
                drawing: for _ in 0..<settings.samples {
                    for _ in 0..<settings.thin {
                        if Task.isCancelled { result.cancelled = true; break drawing }
                        try sweep(&trace, adapting: false, using: &rng)
                    }
                    record(trace)
                }
            }
        } catch {
            result.error = error
        }
        tallies.add(to: &result.counters)
        result.columns.finish()
        result.schedule = sites.map { ($0.address, $0.label) }
        for site in sites where site.proposed > 0 {
            result.accepted[site.address] = site.accepted
            result.proposed[site.address] = site.proposed
        }
        return result
    }

    // MARK: - Initialisation and the schedule

    private func initialTrace(using rng: inout RandomStream) throws(ModelError) -> M.Trace {
        try ChainStart.initialTrace(model, inits: settings.inits, attempts: settings.initAttempts, engine: "gibbs",
                                    chain: chainIndex, using: &rng)
    }

    /// Picks each latent's kernel; an entry that covers nothing, or a kernel that cannot update its site, is an error naming it.
    private mutating func resolveSites(_ trace: M.Trace) throws(ModelError) {
        var used = Set<Int>()
        var rank: [Int] = []
        for index in 0..<trace.latentCount {
            let record = trace.latent(index)
            let (requested, entry) = settings.schedule.kernel(for: record.address)
            if let entry { used.insert(entry) }
            rank.append(entry ?? settings.schedule.entries.count)
            let kernel = try resolve(record, requested: requested)
            sites.append(Site(address: record.address, kernel: kernel, requested: requested != .auto,
                              label: Self.label(kernel), logStepSize: 0))
            siteByAddress[record.address] = sites.count - 1
        }
        scan = rank.indices.sorted { (rank[$0], $0) < (rank[$1], $1) }
        for (k, entry) in settings.schedule.entries.enumerated() where !used.contains(k) {
            throw ModelError(.other, "gibbs: the schedule names '\(entry.address)', which covers no latent choice of the model",
                             address: entry.address)
        }
    }

    static func label(_ kernel: SiteKernel) -> String {
        switch kernel {
        case .conjugate(let family): "conjugate (\(family.rawValue))"
        case .enumerate: "enumerate"
        case .slice: "slice"
        case .mh: "mh"
        }
    }

    private func resolve(_ record: ChoiceRecord, requested: GibbsKernel) throws(ModelError) -> SiteKernel {
        let address = record.address
        let family = model.facts.conjugatePriors[address.site].flatMap(ConjugateFamily.init(rawValue:))
        let values = enumerable(record)
        let transform = SliceTransform(record.support)
        func needsFixed(_ kernel: GibbsKernel) throws(ModelError) {
            guard fixedStructure else {
                throw ModelError(.unsupportedByEngine,
                                 "gibbs: the '\(kernel)' kernel for '\(address)' needs a model whose choices are the same in every run; "
                                 + "this one's addresses depend on random choices, so use 'mh'", address: address)
            }
        }
        switch requested {
        case .auto:
            guard fixedStructure else { return .mh }
            if let family { return .conjugate(family) }
            if let values { return .enumerate(values) }
            if let transform { return .slice(transform) }
            return .mh
        case .conjugate:
            try needsFixed(.conjugate)
            guard let family else {
                throw ModelError(.unsupportedByEngine,
                                 "gibbs: no closed-form full conditional was found for '\(address)' (site '\(address.site)'); "
                                 + "use 'slice', 'mh' or 'enumerate' for it", address: address)
            }
            return .conjugate(family)
        case .enumerate:
            try needsFixed(.enumerate)
            guard let values else {
                throw ModelError(.unsupportedByEngine,
                                 "gibbs: cannot enumerate '\(address)': its support \(record.support) is not a finite set of at most "
                                 + "\(settings.maxEnumeratedValues) values", address: address)
            }
            return .enumerate(values)
        case .slice:
            try needsFixed(.slice)
            guard let transform else {
                throw ModelError(.unsupportedByEngine,
                                 "gibbs: slice sampling needs a continuous scalar, but '\(address)' has support \(record.support)",
                                 address: address)
            }
            return .slice(transform)
        case .mh:
            return .mh
        }
    }

    private func enumerable(_ record: ChoiceRecord) -> [Value]? {
        switch record.support {
        case .booleans:
            if case .bool = record.value { return [.bool(false), .bool(true)] }
            return [.int(0), .int(1)]
        case .integers(let a, let b) where b >= a && b - a < settings.maxEnumeratedValues:
            return (a...b).map { .int($0) }
        default:
            return nil
        }
    }

    // MARK: - Sweeps

    private mutating func sweep(_ trace: inout M.Trace, adapting: Bool, using rng: inout RandomStream) throws(ModelError) {
        if fixedStructure {
            for index in scan { try step(&trace, index: index, site: index, adapting: adapting, using: &rng) }
        } else {
            for _ in 0..<sweepLength where trace.latentCount > 0 {
                let index = rng.index(below: trace.latentCount)
                let address = trace.latent(index).address
                let s: Int
                if let known = siteByAddress[address] {
                    s = known
                } else {
                    sites.append(Site(address: address, kernel: .mh, requested: false, label: "mh"))
                    s = sites.count - 1
                    siteByAddress[address] = s
                }
                try step(&trace, index: index, site: s, adapting: adapting, using: &rng)
            }
        }
    }

    private mutating func step(_ trace: inout M.Trace, index: Int, site s: Int, adapting: Bool,
                               using rng: inout RandomStream) throws(ModelError) {
        switch sites[s].kernel {
        case .conjugate(let family):
            do throws(ConjugacyFailure) {
                try conjugateStep(&trace, index: index, site: s, family: family, using: &rng)
                tallies.conjugateUpdates += 1
            } catch {
                let address = sites[s].address
                let message = "the full conditional of '\(address)' is not \(family.rawValue) as recognised: \(error.reason)"
                if sites[s].requested {
                    throw ModelError(.unsupportedByEngine, "gibbs: \(message)", address: address)
                }
                // Auto chose conjugate: use a general kernel for this site from now on, and say so.
                let record = trace.latent(index)
                let fallback: SiteKernel = SliceTransform(record.support).map { .slice($0) } ?? .mh
                sites[s].kernel = fallback
                sites[s].label = Self.label(fallback) + " (conjugacy check failed)"
                result.warnings.append("gibbs: \(message); '\(address)' is updated by \(Self.label(fallback)) instead")
                try step(&trace, index: index, site: s, adapting: adapting, using: &rng)
            }
        case .enumerate(let values):
            try enumerationStep(&trace, index: index, values: values, using: &rng)
            tallies.enumerationUpdates += 1
        case .slice(let transform):
            try sliceStep(&trace, index: index, site: s, transform: transform, adapting: adapting, using: &rng)
        case .mh:
            try metropolisStep(&trace, index: index, site: s, adapting: adapting, using: &rng)
        }
    }

    // MARK: - Shared pieces of the kernels

    /// Model errors at a proposed value (a parameter out of range, a NaN) give it zero density, as in Stan.
    static func rejects(_ error: ModelError) -> Bool { error.rejectsValue }

    /// log p(t with latent `index` = value) - log p(t), leaving the trace as it was.
    func relativeLogDensity(_ trace: inout M.Trace, index: Int, value: Value,
                            using rng: inout RandomStream) throws(ModelError) -> Double {
        do throws(ModelError) {
            let update = try model.update(&trace, latent: index, to: value, using: &rng)
            model.revert(&trace, update)
            return update.logWeight.isNaN ? -.infinity : update.logWeight
        } catch {
            guard Self.rejects(error) else { throw error }
            return -.infinity
        }
    }

    /// Sets latent `index` to `value` for good.
    func set(_ trace: inout M.Trace, index: Int, to value: Value, using rng: inout RandomStream) throws(ModelError) {
        _ = try model.update(&trace, latent: index, to: value, using: &rng)
    }

    private mutating func record(_ trace: M.Trace) {
        result.columns.beginDraw()
        result.columns.setLatents(of: trace, samePositions: model.facts.isStatic)
        let reported = trace.reported
        for (address, value) in reported.deterministic { result.columns.set(address, value, kind: 1) }
        if let value = reported.returnValue { result.columns.set(Address("return"), value, kind: 2) }
        result.logJoint.append(trace.logJoint)
    }
}
