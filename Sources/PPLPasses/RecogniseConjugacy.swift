import PPLIR

/// Finds the latent sites whose full conditional is closed form: a prior in a conjugate
/// family whose every child (observation or latent) is a likelihood conjugate to it.
///
/// For each latent site S of the entry model (all `sample`s whose address has S's root
/// name) it tracks how every value depends on S: not at all, as c·S^p (c free of S; an
/// element read from S's array counts, since the others are constant given S), as an affine
/// a·S + b, elementwise in an array, or otherwise. S is conjugate when every `sample` or
/// `observe` that reads it does so in a pattern of the table below and nothing else uses it
/// (branches, loop bounds, addresses, calls, factors or carried loop values make it not):
///
///     prior          children
///     Beta           Bernoulli(S), Binomial(n, S), Geometric(S)
///     Gamma          Poisson(c S), Exponential(c S), Gamma(a, c S), InverseGamma(a, c S),
///                    Normal(m, c S^-1/2), LogNormal(m, c S^-1/2)        (rate, precision)
///     InverseGamma   Normal(m, c S^1/2), LogNormal(m, c S^1/2), Exponential(c / S),
///                    Poisson(c / S), Gamma(a, c / S)                    (variance, scale)
///     Normal         Normal(a S + b, s), LogNormal(a S + b, s)          (known variance)
///     Dirichlet      Categorical(S), Multinomial(n, S)
///
/// The other parameters of each child must not depend on S. The pass records what it
/// found in `ModuleFacts.conjugacy` (printed by `ppl ir --after recognise-conjugacy`) and
/// whether every run makes the same choices (`fixedAddresses`), which Gibbs kernels need.
/// The Gibbs engine checks each recognition numerically before relying on it.
/// (Conjugate families: Bernardo & Smith 1994, appendix A; recognising them on a program
/// graph as in BUGS, Lunn et al. 2000, and Birch's delayed sampling, Murray et al. 2018.)
public struct RecogniseConjugacy: Pass {
    public static let name = "recognise-conjugacy"
    public init() {}

    static let priorFamilies: Set<String> = ["Beta", "Gamma", "InverseGamma", "Normal", "Dirichlet"]

    public func run(_ module: inout Module) throws {
        module.facts.fixedAddresses = FixedAddresses.check(module)
        guard let entry = module.entryFunction else {
            module.facts.conjugacy = []
            return
        }
        var roots: [String] = []
        var families: [String: [String]] = [:]
        var patterns: [String: [String]] = [:]
        Self.collectSites(entry.body, roots: &roots, families: &families, patterns: &patterns)
        var facts: [ConjugacyFact] = []
        for root in roots {
            let priors = families[root] ?? []
            let prior = priors.first ?? ""
            let sites = patterns[root] ?? [root]
            var verdict: (children: [String], rejection: String?)
            if Set(priors).count > 1 {
                verdict = ([], "its choices have different priors (\(Set(priors).sorted().joined(separator: ", ")))")
            } else if !Self.priorFamilies.contains(prior) {
                verdict = ([], "no conjugate family for a \(prior) prior")
            } else {
                var analysis = DependenceAnalysis(root: root, prior: prior, function: entry)
                analysis.visit(entry.body)
                verdict = (analysis.children, analysis.rejection)
            }
            for site in sites {
                facts.append(ConjugacyFact(site: site, prior: prior, children: verdict.children, rejection: verdict.rejection))
            }
        }
        module.facts.conjugacy = facts
    }

    /// Latent sites in program order: their root names, prior families and address patterns.
    private static func collectSites(_ region: Region, roots: inout [String], families: inout [String: [String]],
                                     patterns: inout [String: [String]]) {
        for instruction in region.instructions {
            if case .sample(let address, let family, _) = instruction.op {
                let root = address.root
                if families[root] == nil { roots.append(root) }
                families[root, default: []].append(family)
                let pattern = sitePattern(address)
                if !(patterns[root] ?? []).contains(pattern) { patterns[root, default: []].append(pattern) }
            }
            for nested in instruction.op.regions {
                collectSites(nested, roots: &roots, families: &families, patterns: &patterns)
            }
        }
    }

    /// `mu[*]` for `@mu[%k]`: the spelling `Address.site` gives at run time.
    static func sitePattern(_ address: AddressExpr) -> String {
        var out = ""
        for component in address.components {
            switch component {
            case .name(let n): out += out.isEmpty ? n : "." + n
            case .index: out += "[*]"
            }
        }
        return out
    }
}

/// How a value depends on the site being analysed.
indirect enum Dependence: Equatable {
    case none
    /// c · S^p with c free of S; `unit` when c = 1 (S itself, or an element read from S's array).
    case power(Double, unit: Bool)
    /// a · S + b with a, b free of S.
    case affine
    /// An array whose elements depend on S like this.
    case array(Dependence)
    case other

    var isNone: Bool { self == .none }
    var isLinear: Bool {
        switch self {
        case .power(let p, _): p == 1
        case .affine: true
        default: false
        }
    }

    /// What either of two values may be (an element read from a mixed array).
    func join(_ other: Dependence) -> Dependence {
        switch (self, other) {
        case (.none, let x), (let x, .none): return x
        case (.power(let p, let u), .power(let q, let v)) where p == q: return .power(p, unit: u && v)
        case (let x, let y) where x.isLinear && y.isLinear: return .affine
        case (.array(let x), .array(let y)): return .array(x.join(y))
        default: return self == other ? self : .other
        }
    }
}

/// One pass over the entry function for one site, deciding conjugacy.
struct DependenceAnalysis {
    let root: String
    let prior: String
    let function: Function
    var dependence: [ValueID: Dependence] = [:]
    var constants: [ValueID: Double] = [:]
    /// The child terms found, e.g. `y[*] ~ Normal (mean)`.
    var children: [String] = []
    /// Why the site is not conjugate (the first reason found), nil while it is.
    var rejection: String?

    init(root: String, prior: String, function: Function) {
        self.root = root
        self.prior = prior
        self.function = function
    }

    func of(_ value: ValueID) -> Dependence { dependence[value] ?? .none }

    mutating func reject(_ reason: String, _ instruction: Instruction) {
        guard rejection == nil else { return }
        let at = instruction.location.map { " at \($0)" } ?? ""
        rejection = reason + at
    }

    mutating func set(_ instruction: Instruction, _ d: Dependence) {
        for r in instruction.results where !d.isNone { dependence[r] = d }
    }

    mutating func visit(_ region: Region) {
        for instruction in region.instructions { visit(instruction) }
    }

    mutating func visit(_ instruction: Instruction) {
        let op = instruction.op
        switch op {
        case .constant(let c):
            if let r = instruction.result {
                switch c {
                case .real(let x): constants[r] = x
                case .int(let n): constants[r] = Double(n)
                case .bool: break
                }
            }
        case .unary(let u, let a):
            let d = of(a)
            if u == .neg { set(instruction, negate(d)) } else if !d.isNone { set(instruction, .other) }
        case .binary(let b, let x, let y):
            // A scalar combined with an array is broadcast over its elements.
            var (dx, dy) = (of(x), of(y))
            if let r = instruction.result, case .array = function.type(of: r) {
                if case .array = dx {} else if !dx.isNone { dx = .array(dx) }
                if case .array = dy {} else if !dy.isNone { dy = .array(dy) }
            }
            set(instruction, binary(b, dx, dy, exponent: constants[y]))
        case .toReal(let a), .convert(let a):
            set(instruction, of(a).isNone ? .none : .other)
        case .setIndex(let a, let i, let v):
            if !of(i).isNone { reject("an array index depends on it", instruction) }
            switch (of(a), of(v)) {
            case (.none, .none): break
            case (.none, let d): set(instruction, .array(d))
            case (.array(let e), let d): set(instruction, .array(e.join(d)))
            default: set(instruction, .other)
            }
        case .builtin(let f, let args):
            set(instruction, builtin(f, args))
        case .array(let xs):
            let ds = xs.map(of)
            if ds.allSatisfy(\.isNone) { break }
            set(instruction, .array(ds.dropFirst().reduce(ds[0]) { $0.join($1) }))
        case .index(let a, let i):
            if !of(i).isNone {
                if !of(a).isNone { set(instruction, .other) }
                // An index computed from S picks which value is read: not conjugate in general.
                reject("an array index depends on it", instruction)
                break
            }
            switch of(a) {
            case .array(let element): set(instruction, element)
            case .none: break
            default: set(instruction, .other)
            }
        case .gather(let name):
            if name == root { set(instruction, .array(.power(1, unit: true))) }
        case .load(let address):
            if address.indexValues.contains(where: { !of($0).isNone }) {
                reject("an address index depends on it", instruction)
            }
            if address.root == root { set(instruction, .power(1, unit: true)) }
        case .sample(let address, let family, let args):
            if address.indexValues.contains(where: { !of($0).isNone }) {
                reject("an address index depends on it", instruction)
            }
            child(RecogniseConjugacy.sitePattern(address), family, args, instruction)
            if address.root == root { set(instruction, .power(1, unit: true)) }
        case .observe(let address, let family, let args, let value):
            if address.indexValues.contains(where: { !of($0).isNone }) {
                reject("an address index depends on it", instruction)
            }
            if !of(value).isNone { reject("an observed value depends on it", instruction) }
            child(RecogniseConjugacy.sitePattern(address), family, args, instruction)
        case .factor(let v):
            if !of(v).isNone { reject("a factor depends on it", instruction) }
        case .report, .ret:
            break
        case .call(let callee, let args):
            if args.contains(where: { !of($0).isNone }) { reject("it is passed to '\(callee)'", instruction) }
        case .forLoop(let loop):
            if !of(loop.lower).isNone || !of(loop.upper).isNone { reject("a loop bound depends on it", instruction) }
            if loop.initial.contains(where: { !of($0).isNone }) { reject("a loop carries a value computed from it", instruction) }
            visit(loop.body)
            if case .yield(let ys)? = loop.body.instructions.last?.op, ys.contains(where: { !of($0).isNone }) {
                reject("a loop carries a value computed from it", instruction)
            }
        case .ifElse(let branch):
            if !of(branch.condition).isNone { reject("a branch depends on it", instruction) }
            visit(branch.then)
            visit(branch.otherwise)
            var joined: [Dependence] = Array(repeating: .none, count: instruction.results.count)
            for region in [branch.then, branch.otherwise] {
                if case .yield(let ys)? = region.instructions.last?.op {
                    for (k, y) in ys.enumerated() where k < joined.count { joined[k] = joined[k].join(of(y)) }
                }
            }
            for (r, d) in zip(instruction.results, joined) where !d.isNone { dependence[r] = d }
        case .whileLoop(let loop):
            if loop.initial.contains(where: { !of($0).isNone }) { reject("a loop carries a value computed from it", instruction) }
            visit(loop.before)
            visit(loop.body)
            if case .yield(let ys)? = loop.body.instructions.last?.op, ys.contains(where: { !of($0).isNone }) {
                reject("a loop carries a value computed from it", instruction)
            }
        case .condition(let c, let xs):
            if !of(c).isNone { reject("a 'while' condition depends on it", instruction) }
            if xs.contains(where: { !of($0).isNone }) { reject("a loop carries a value computed from it", instruction) }
        case .yield:
            break
        }
    }

    func negate(_ d: Dependence) -> Dependence {
        switch d {
        case .none: .none
        case .power(let p, _): .power(p, unit: false)
        case .affine: .affine
        case .array(let e): .array(negate(e))
        case .other: .other
        }
    }

    func binary(_ op: BinaryOp, _ a: Dependence, _ b: Dependence, exponent: Double?) -> Dependence {
        if a.isNone && b.isNone { return .none }
        // Arrays combine elementwise with scalars and with each other.
        if case .array(let x) = a {
            if case .array(let y) = b { return .array(binary(op, x, y, exponent: exponent)) }
            return .array(binary(op, x, b, exponent: exponent))
        }
        if case .array(let y) = b { return .array(binary(op, a, y, exponent: exponent)) }
        switch op {
        case .add, .sub:
            if (a.isLinear || a.isNone) && (b.isLinear || b.isNone) { return .affine }
            return .other
        case .mul:
            return product(a, b, sign: 1)
        case .div:
            return product(a, b, sign: -1)
        case .pow:
            guard b.isNone, let k = exponent, case .power(let p, _) = a else { return .other }
            return p * k == 0 ? .none : .power(p * k, unit: false)
        default:
            return .other
        }
    }

    /// a · b^sign for monomials and affine forms.
    func product(_ a: Dependence, _ b: Dependence, sign: Double) -> Dependence {
        switch (a, b) {
        case (.power(let p, _), .none): return .power(p, unit: false)
        case (.affine, .none): return .affine
        case (.none, .power(let q, _)): return .power(sign * q, unit: false)
        case (.none, .affine): return sign > 0 ? .affine : .other
        case (.power(let p, _), .power(let q, _)):
            let r = p + sign * q
            return r == 0 ? .none : .power(r, unit: false)
        default: return .other
        }
    }

    func builtin(_ f: Builtin, _ args: [ValueID]) -> Dependence {
        let ds = args.map(of)
        if ds.allSatisfy(\.isNone) { return .none }
        switch f {
        case .sqrt:
            if case .power(let p, _) = ds[0] { return .power(p / 2, unit: false) }
            return .other
        case .pow:
            guard args.count == 2 else { return .other }
            return binary(.pow, ds[0], ds[1], exponent: constants[args[1]])
        case .sum, .mean:
            if case .array(let e) = ds[0], e.isLinear || e.isNone { return .affine }
            return .other
        case .len:
            return .none
        default:
            return .other
        }
    }

    /// Checks one `sample` or `observe` that may read S against the table of conjugate likelihoods.
    mutating func child(_ site: String, _ family: String, _ args: [ValueID], _ instruction: Instruction) {
        let ds = args.map(of)
        if ds.allSatisfy(\.isNone) { return }
        func power(_ d: Dependence, _ p: Double, unit: Bool = false) -> Bool {
            if case .power(let q, let u) = d { return q == p && (!unit || u) }
            return false
        }
        // (parameter index that may depend on S, what it may be, its role) per family for this prior.
        var allowed: (Int, (Dependence) -> Bool, String)?
        switch (prior, family) {
        case ("Beta", "Bernoulli"), ("Beta", "Geometric"):
            allowed = (0, { power($0, 1, unit: true) }, "probability")
        case ("Beta", "Binomial"):
            allowed = (1, { power($0, 1, unit: true) }, "probability")
        case ("Gamma", "Poisson"), ("Gamma", "Exponential"):
            allowed = (0, { power($0, 1) }, "rate")
        case ("Gamma", "Gamma"), ("Gamma", "InverseGamma"):
            allowed = (1, { power($0, 1) }, "rate")
        case ("Gamma", "Normal"), ("Gamma", "LogNormal"):
            allowed = (1, { power($0, -0.5) }, "precision")
        case ("InverseGamma", "Normal"), ("InverseGamma", "LogNormal"):
            allowed = (1, { power($0, 0.5) }, "variance")
        case ("InverseGamma", "Exponential"), ("InverseGamma", "Poisson"):
            allowed = (0, { power($0, -1) }, "scale")
        case ("InverseGamma", "Gamma"):
            allowed = (1, { power($0, -1) }, "scale")
        case ("Normal", "Normal"), ("Normal", "LogNormal"):
            allowed = (0, { $0.isLinear }, "mean")
        case ("Dirichlet", "Categorical"):
            allowed = (0, { power($0, 1, unit: true) }, "probabilities")
        case ("Dirichlet", "Multinomial"):
            allowed = (1, { power($0, 1, unit: true) }, "probabilities")
        default:
            allowed = nil
        }
        guard let (position, accepts, role) = allowed else {
            reject("'\(site)' ~ \(family) reads it, which is not a conjugate likelihood for a \(prior) prior", instruction)
            return
        }
        for (k, d) in ds.enumerated() where !d.isNone {
            if k != position || !accepts(d) {
                reject("'\(site)' ~ \(family) reads it in a way not conjugate to a \(prior) prior", instruction)
                return
            }
        }
        let term = "\(site) ~ \(family) (\(role))"
        if !children.contains(term) { children.append(term) }
    }
}

/// Whether every run makes the same choices at the same addresses: no branch, loop bound,
/// `while` condition or `sample`/`observe` address index depends on a random choice.
/// Unlike `StaticStructure`, reads at random indices (`mu[z[i]]`) are allowed.
enum FixedAddresses {
    static func check(_ module: Module) -> Bool {
        let randomness = Randomness(module)
        for function in module.functions {
            let random = randomness.random[function.name] ?? []
            if !fixed(function.body, random) { return false }
        }
        return true
    }

    private static func fixed(_ region: Region, _ random: Set<ValueID>) -> Bool {
        for instruction in region.instructions {
            switch instruction.op {
            case .ifElse(let branch) where random.contains(branch.condition):
                return false
            case .forLoop(let loop) where random.contains(loop.lower) || random.contains(loop.upper):
                return false
            case .whileLoop(let loop):
                if case .condition(let c, _)? = loop.before.instructions.last?.op, random.contains(c) { return false }
            case .sample(let address, _, _), .observe(let address, _, _, _):
                if address.indexValues.contains(where: { random.contains($0) }) { return false }
            default:
                break
            }
            for nested in instruction.op.regions where !fixed(nested, random) { return false }
        }
        return true
    }
}
