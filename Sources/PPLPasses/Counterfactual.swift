import PPLDiagnostics
import PPLDistributions
import PPLIR

/// Rewrites a model into its twin network for `counterfactual M(args) given(facts) do(...)`:
/// a factual world conditioned on the facts and a counterfactual world under the intervention,
/// sharing every choice's exogenous noise, so any engine answers the query by ordinary inference.
///
/// The two worlds run in lockstep. The factual world is the model with each address renamed
/// `a` → `a_factual`, the facts and the model's observations scored there. The counterfactual world
/// keeps the original addresses; at each choice it either applies the intervention or computes its
/// value from the factual value with the same noise (docs/causal.md): for location-scale families
/// x' = μ' + σ'(x − μ)/σ, for scale families x' = x·s'/s, for Bernoulli the inverse-CDF of one
/// shared uniform, integrated out within the factual outcome (x' | x is a Bernoulli draw), and
/// x' = x for any family whose parameters are the same in both worlds. Abduction (inferring the
/// noise from the facts), action and prediction then happen in one run.
/// Pearl (2009), Causality, 7.1 (three steps) and Balke & Pearl (1994), Probabilistic evaluation of
/// counterfactual queries, AAAI (twin networks).
public struct Counterfactual: Pass {
    public static let name = "counterfactual"
    /// `given(...)`: values of the factual world's choices (latent, by their original addresses).
    public var facts: [Intervention]
    /// `do(...)`: interventions in the counterfactual world.
    public var interventions: [Intervention]
    /// Appended to a root to name its factual copy.
    public static let factualSuffix = "_factual"

    public init(facts: [Intervention], interventions: [Intervention]) {
        self.facts = facts
        self.interventions = interventions
    }

    public func run(_ module: inout Module) throws {
        guard let index = module.functionIndex(named: module.entry) else {
            throw PassError(pass: Self.name, "internal error: no entry function '\(module.entry)'")
        }
        let function = module.functions[index]
        let sites = SiteTable(function, module: module)
        var problems: [Diagnostic] = []
        for fact in facts where !fact.isHard {
            problems.append(.error("'given' needs a value for '\(fact.address)', not a distribution", at: fact.span))
        }
        do { try validateInterventions(facts, sites: sites, function: function, clause: "given") } catch { problems += error.diagnostics }
        do { try validateInterventions(interventions, sites: sites, function: function) } catch { problems += error.diagnostics }
        let names = Set(sites.latent.keys).union(sites.observed.keys)
        for name in names.sorted() where names.contains(name + Self.factualSuffix) {
            problems.append(.error("cannot build the twin network: the model already has a choice named '\(name + Self.factualSuffix)'", at: nil))
        }
        if !problems.isEmpty { throw DiagnosticList(problems) }
        var twin = TwinNetwork(module: module, function: function, sites: sites, facts: facts, interventions: interventions)
        var result = try twin.run()
        removeDeadCode(&result)
        module.functions[index] = result
        module.facts = ModuleFacts()
    }
}

/// The lockstep rewrite: every instruction of the model is emitted once per world, except values
/// no random choice influences, which the worlds share.
struct TwinNetwork {
    let module: Module
    let original: Function
    let sites: SiteTable
    let random: Set<ValueID>
    var emitter: IREmitter
    /// Factual world: the facts, and loads of factual choices.
    var factual: ValueEmitter
    /// Counterfactual world: the interventions.
    var counterfactual: ValueEmitter
    var factualValue: [ValueID: ValueID] = [:]
    var counterfactualValue: [ValueID: ValueID] = [:]
    var constants: [ValueID: Int] = [:]
    var depth = 0

    init(module: Module, function: Function, sites: SiteTable, facts: [Intervention], interventions: [Intervention]) {
        self.module = module
        self.original = function
        self.sites = sites
        self.random = Randomness(module).random[function.name] ?? []
        self.emitter = IREmitter(function: function)
        self.factual = ValueEmitter(interventions: facts, sites: sites, function: function)
        self.factual.loadRoot = { $0 + Counterfactual.factualSuffix }
        self.counterfactual = ValueEmitter(interventions: interventions, sites: sites, function: function)
    }

    mutating func run() throws(DiagnosticList) -> Function {
        try region(original.body.instructions)
        var result = emitter.function
        result.body = Region(arguments: original.body.arguments, instructions: emitter.finish())
        return result
    }

    func f(_ v: ValueID) -> ValueID { factualValue[v] ?? v }
    func c(_ v: ValueID) -> ValueID { counterfactualValue[v] ?? factualValue[v] ?? v }

    func renamed(_ address: AddressExpr) -> AddressExpr {
        var components = address.components
        if case .name(let root)? = components.first { components[0] = .name(root + Counterfactual.factualSuffix) }
        return AddressExpr(components)
    }

    func unsupported(_ instruction: Instruction, _ message: String) -> DiagnosticList {
        let at = instruction.location.map { " at \($0)" } ?? ""
        return DiagnosticList([.error("counterfactual queries do not support \(message)\(at)", at: nil)])
    }

    /// Whether a region (or a function it calls) makes a choice.
    func makesChoices(_ region: Region) -> Bool {
        for instruction in region.instructions {
            switch instruction.op {
            case .sample, .observe, .factor: return true
            case .call(let callee, _):
                var visiting: Set<String> = []
                if functionMakesChoices(callee, in: module, visiting: &visiting) { return true }
            default: break
            }
            if instruction.op.regions.contains(where: makesChoices) { return true }
        }
        return false
    }

    mutating func region(_ instructions: [Instruction]) throws(DiagnosticList) {
        for instruction in instructions { try self.instruction(instruction) }
    }

    /// Emits one pure instruction in one world, with fresh results for the copy.
    mutating func copy(_ instruction: Instruction, counterfactualWorld: Bool) throws(DiagnosticList) {
        var copy = instruction
        if counterfactualWorld {
            copy.op = instruction.op.mapOperands { c($0) }
            copy.results = instruction.results.map { r in
                let fresh = emitter.newValue(original.type(of: r), name: original.values[r.raw].name)
                counterfactualValue[r] = fresh
                return fresh
            }
            var regions: [Region] = []
            for nested in instruction.op.regions {
                let arguments = nested.arguments.map { a in
                    let fresh = emitter.newValue(original.type(of: a), name: original.values[a.raw].name)
                    counterfactualValue[a] = fresh
                    return fresh
                }
                emitter.begin()
                for inner in nested.instructions { try self.copy(inner, counterfactualWorld: true) }
                regions.append(emitter.end(arguments: arguments))
            }
            copy.op = copy.op.replacingRegions(regions)
        } else {
            copy.op = instruction.op.mapOperands { f($0) }
            var regions: [Region] = []
            for nested in instruction.op.regions {
                emitter.begin()
                for inner in nested.instructions { try self.copy(inner, counterfactualWorld: false) }
                regions.append(emitter.end(arguments: nested.arguments))
            }
            copy.op = copy.op.replacingRegions(regions)
        }
        emitter.location = instruction.location
        emitter.append(copy)
    }

    mutating func instruction(_ instruction: Instruction) throws(DiagnosticList) {
        emitter.location = instruction.location
        let op = instruction.op
        switch op {
        case .constant(let k):
            emitter.append(instruction)
            if case .int(let n) = k, let r = instruction.result { constants[r] = n }
        case .sample(let address, let family, let arguments):
            try sample(instruction, address, family, arguments)
        case .observe(let address, let family, let arguments, let value):
            try observe(instruction, address, family, arguments, value)
        case .factor:
            // Soft evidence belongs to the factual world only.
            try copy(instruction, counterfactualWorld: false)
        case .load(let address):
            try load(instruction, address)
        case .gather(let name):
            guard let r = instruction.result else { return }
            if factual.interventions[name] != nil || counterfactual.interventions[name]?.contains(where: \.isHard) == true {
                throw unsupported(instruction, "'given' or 'do' on '\(name)' when the model reads it as a whole array")
            }
            factualValue[r] = emitter.emit(.gather(name + Counterfactual.factualSuffix), original.type(of: r))
            counterfactualValue[r] = emitter.emit(.gather(name), original.type(of: r))
        case .report(let address, let v):
            let addressF = renamed(AddressExpr(address.components.map { if case .index(let i) = $0 { .index(f(i)) } else { $0 } }))
            let addressC = AddressExpr(address.components.map { if case .index(let i) = $0 { .index(c(i)) } else { $0 } })
            emitter.emit(.report(addressF, f(v)), nil)
            emitter.emit(.report(addressC, c(v)), nil)
            if address.indexValues.isEmpty {
                factual.bind(address.root, f(v))
                counterfactual.bind(address.root, c(v))
            }
        case .ret(let v):
            emitter.emit(.ret(v.map { c($0) }), nil)
        case .yield(let xs):
            emitter.emit(.yield(xs.map { f($0) } + xs.map { c($0) }), nil)
        case .condition:
            throw unsupported(instruction, "'while' loops that make choices")
        case .call(let callee, _):
            var visiting: Set<String> = []
            if functionMakesChoices(callee, in: module, visiting: &visiting) {
                throw unsupported(instruction, "choices inside the function '\(callee)'")
            }
            try pure(instruction)
        case .forLoop(let loop):
            if !makesChoices(loop.body) { try pure(instruction); return }
            if random.contains(loop.lower) || random.contains(loop.upper) {
                throw unsupported(instruction, "a loop whose bound depends on a random choice")
            }
            try lockstepLoop(instruction, loop)
        case .ifElse(let branch):
            if !makesChoices(branch.then) && !makesChoices(branch.otherwise) { try pure(instruction); return }
            if random.contains(branch.condition) {
                throw unsupported(instruction, "a branch on a random choice that makes choices")
            }
            try lockstepIf(instruction, branch)
        case .whileLoop(let loop):
            if makesChoices(loop.before) || makesChoices(loop.body) {
                throw unsupported(instruction, "'while' loops that make choices")
            }
            try pure(instruction)
        default:
            try pure(instruction)
        }
    }

    /// A deterministic instruction: once if no random value flows in, else once per world.
    mutating func pure(_ instruction: Instruction) throws(DiagnosticList) {
        let readsRandom = instruction.op.operands.contains(where: random.contains)
            || instruction.results.contains(where: random.contains)
        try copy(instruction, counterfactualWorld: false)
        if readsRandom { try copy(instruction, counterfactualWorld: true) }
    }

    mutating func lockstepLoop(_ instruction: Instruction, _ loop: ForLoop) throws(DiagnosticList) {
        let arguments = loop.body.arguments
        let carriedC = arguments.dropFirst().map { a in
            let fresh = emitter.newValue(original.type(of: a), name: original.values[a.raw].name)
            counterfactualValue[a] = fresh
            return fresh
        }
        emitter.begin()
        depth += 1
        factual.scopes.append([:]); counterfactual.scopes.append([:])
        try region(loop.body.instructions)
        factual.scopes.removeLast(); counterfactual.scopes.removeLast()
        depth -= 1
        let body = emitter.end(arguments: arguments + carriedC)
        let resultsC = instruction.results.map { r in
            let fresh = emitter.newValue(original.type(of: r), name: original.values[r.raw].name)
            counterfactualValue[r] = fresh
            return fresh
        }
        let twin = ForLoop(lower: f(loop.lower), upper: f(loop.upper),
                           initial: loop.initial.map { f($0) } + loop.initial.map { c($0) }, body: body)
        emitter.location = instruction.location
        emitter.append(Instruction(.forLoop(twin), results: instruction.results + resultsC, at: instruction.location))
    }

    mutating func lockstepIf(_ instruction: Instruction, _ branch: IfElse) throws(DiagnosticList) {
        var regions: [Region] = []
        depth += 1
        for nested in [branch.then, branch.otherwise] {
            emitter.begin()
            factual.scopes.append([:]); counterfactual.scopes.append([:])
            try region(nested.instructions)
            factual.scopes.removeLast(); counterfactual.scopes.removeLast()
            regions.append(emitter.end())
        }
        depth -= 1
        let resultsC = instruction.results.map { r in
            let fresh = emitter.newValue(original.type(of: r), name: original.values[r.raw].name)
            counterfactualValue[r] = fresh
            return fresh
        }
        emitter.location = instruction.location
        emitter.append(Instruction(.ifElse(IfElse(condition: f(branch.condition), then: regions[0], otherwise: regions[1])),
                                   results: instruction.results + resultsC, at: instruction.location))
    }

    /// The cases of `interventions` that apply to a site with these index values.
    mutating func guards(_ interventions: [Intervention], _ indices: [ValueID]) -> [(Intervention, Guard)] {
        var out: [(Intervention, Guard)] = []
        for i in interventions {
            let g = guardFor(i.address.indices, siteIndices: indices, constants: constants, into: &emitter)
            if case .never = g { continue }
            out.append((i, g))
            if case .always = g { break }
        }
        return out
    }

    /// `if g1 { case 1 } else if g2 { case 2 } ... else { fallback }`.
    mutating func guarded(_ cases: [(Intervention, Guard)], type: ValueType, name: String?,
                          replace: (inout TwinNetwork, Intervention) throws(DiagnosticList) -> ValueID,
                          fallback: (inout TwinNetwork) throws(DiagnosticList) -> ValueID) throws(DiagnosticList) -> ValueID {
        guard let (first, g) = cases.first else { return try fallback(&self) }
        switch g {
        case .never: return try guarded(Array(cases.dropFirst()), type: type, name: name, replace: replace, fallback: fallback)
        case .always: return try replace(&self, first)
        case .when(let condition):
            emitter.begin()
            let a = try replace(&self, first)
            emitter.emit(.yield([a]), nil)
            let thenRegion = emitter.end()
            emitter.begin()
            let b = try guarded(Array(cases.dropFirst()), type: type, name: name, replace: replace, fallback: fallback)
            emitter.emit(.yield([b]), nil)
            let elseRegion = emitter.end()
            let result = emitter.newValue(type, name: name)
            emitter.append(Instruction(.ifElse(IfElse(condition: condition, then: thenRegion, otherwise: elseRegion)),
                                       results: [result], at: emitter.location))
            return result
        }
    }

    mutating func sample(_ instruction: Instruction, _ address: AddressExpr, _ family: String, _ arguments: [ValueID]) throws(DiagnosticList) {
        guard let result = instruction.result else { return }
        let type = original.type(of: result)
        let name = original.values[result.raw].name
        let location = instruction.location
        // Factual world: the choice, or an observation of the fact.
        let argumentsF = arguments.map { f($0) }
        let addressF = renamed(AddressExpr(address.components.map { if case .index(let v) = $0 { .index(f(v)) } else { $0 } }))
        let factCases = guards(factual.interventions[address.root] ?? [], addressF.indexValues)
        let valueF = try guarded(factCases, type: type, name: name, replace: { t, fact throws(DiagnosticList) in
            let remaining = Array(addressF.indexValues.dropFirst(fact.address.indices.count))
            let v = try t.factual.replacement(fact, remaining: remaining, type: type, into: &t.emitter)
            t.emitter.emit(.observe(addressF, family: family, arguments: argumentsF, value: v), nil)
            return v
        }, fallback: { t in
            t.emitter.location = location
            return t.emitter.emit(.sample(addressF, family: family, arguments: argumentsF), type, name: name)
        })
        factualValue[result] = valueF
        factual.seenRoots.insert(address.root)
        if address.indexValues.isEmpty { factual.bind(address.root, valueF) }
        // Counterfactual world: the intervention, or the same noise under the new parents.
        try counterfactualChoice(instruction, address, family, arguments, factualValue: valueF, type: type, name: name)
        counterfactual.seenRoots.insert(address.root)
    }

    mutating func observe(_ instruction: Instruction, _ address: AddressExpr, _ family: String, _ arguments: [ValueID],
                          _ value: ValueID) throws(DiagnosticList) {
        let addressF = renamed(AddressExpr(address.components.map { if case .index(let v) = $0 { .index(f(v)) } else { $0 } }))
        emitter.emit(.observe(addressF, family: family, arguments: arguments.map { f($0) }, value: f(value)), nil)
        let type = Catalogue.family(named: family)?.drawType ?? .real
        var valueF = f(value)
        if emitter.type(of: valueF) != type, type == .real { valueF = emitter.real(valueF) }
        try counterfactualChoice(instruction, address, family, arguments, factualValue: valueF, type: type, name: nil)
    }

    /// The counterfactual twin of one choice, bound to the original result (if any).
    mutating func counterfactualChoice(_ instruction: Instruction, _ address: AddressExpr, _ family: String, _ arguments: [ValueID],
                                       factualValue valueF: ValueID, type: ValueType, name: String?) throws(DiagnosticList) {
        let addressC = AddressExpr(address.components.map { if case .index(let v) = $0 { .index(c(v)) } else { $0 } })
        let argumentsF = arguments.map { f($0) }, argumentsC = arguments.map { c($0) }
        let cases = guards(counterfactual.interventions[address.root] ?? [], addressC.indexValues)
        let valueC = try guarded(cases, type: type, name: name, replace: { t, intervention throws(DiagnosticList) in
            switch intervention.value {
            case .value:
                let remaining = Array(addressC.indexValues.dropFirst(intervention.address.indices.count))
                let v = try t.counterfactual.replacement(intervention, remaining: remaining, type: type, into: &t.emitter)
                t.emitter.emit(.report(addressC, v), nil)
                return v
            case .distribution(let newFamily, let newArguments):
                var args: [ValueID] = []
                for a in newArguments { args.append(t.emitter.real(try t.counterfactual.emit(a, for: intervention, into: &t.emitter))) }
                return t.emitter.emit(.sample(addressC, family: newFamily, arguments: args), type, name: name)
            }
        }, fallback: { t throws(DiagnosticList) in
            let noise = try t.sharedNoise(instruction, family: family, argumentsF: argumentsF, argumentsC: argumentsC,
                                          arguments: arguments, factual: valueF, type: type)
            switch noise {
            case .drawn(let drawnFamily, let drawnArguments):
                return t.emitter.emit(.sample(addressC, family: drawnFamily, arguments: drawnArguments), type, name: name)
            case .computed(let v):
                // Values the model reads back become point-mass choices, so `load` sees them;
                // the others are reported, so the output shows them.
                if t.sites.loaded.contains(address.root) || t.sites.gathered.contains(address.root) {
                    if type == .int {
                        return t.emitter.emit(.sample(addressC, family: "DiscreteUniform", arguments: [v, v]), type, name: name)
                    }
                    return t.emitter.emit(.sample(addressC, family: "Dirac", arguments: [v]), type, name: name)
                }
                t.emitter.emit(.report(addressC, v), nil)
                return v
            }
        })
        if let result = instruction.result { counterfactualValue[result] = valueC }
        if address.indexValues.isEmpty { counterfactual.bind(address.root, valueC) }
    }

    enum Noise {
        /// x' ~ family(arguments): a draw given the factual outcome.
        case drawn(String, [ValueID])
        /// x' is a function of the factual value.
        case computed(ValueID)
    }

    /// The counterfactual value of a choice that shares its exogenous noise with the factual one.
    mutating func sharedNoise(_ instruction: Instruction, family: String, argumentsF: [ValueID], argumentsC: [ValueID],
                              arguments: [ValueID], factual x: ValueID, type: ValueType) throws(DiagnosticList) -> Noise {
        // The same mechanism in both worlds gives the same value.
        if !arguments.contains(where: random.contains) { return .computed(x) }
        func fixed(_ k: Int) -> Bool { !random.contains(arguments[k]) }
        let e = { (t: inout TwinNetwork, op: BinaryOp, a: ValueID, b: ValueID) -> ValueID in t.emitter.binary(op, a, b) }
        switch family {
        case "Normal", "Laplace", "Logistic", "Cauchy", "StudentT":
            let k = family == "StudentT" ? 1 : 0
            if family == "StudentT" && !fixed(0) { break }
            // x' = μ' + σ' (x − μ) / σ
            let standard = e(&self, .div, e(&self, .sub, x, argumentsF[k]), argumentsF[k + 1])
            return .computed(e(&self, .add, argumentsC[k], e(&self, .mul, argumentsC[k + 1], standard)))
        case "LogNormal":
            let logX = emitter.emit(.builtin(.log, [emitter.real(x)]), .real)
            let standard = e(&self, .div, e(&self, .sub, logX, argumentsF[0]), argumentsF[1])
            let logC = e(&self, .add, argumentsC[0], e(&self, .mul, argumentsC[1], standard))
            return .computed(emitter.emit(.builtin(.exp, [logC]), .real))
        case "Uniform":
            let standard = e(&self, .div, e(&self, .sub, x, argumentsF[0]), e(&self, .sub, argumentsF[1], argumentsF[0]))
            return .computed(e(&self, .add, argumentsC[0], e(&self, .mul, e(&self, .sub, argumentsC[1], argumentsC[0]), standard)))
        case "Exponential":
            // Rate λ: x' = x λ / λ'.
            return .computed(e(&self, .div, e(&self, .mul, x, argumentsF[0]), argumentsC[0]))
        case "HalfNormal", "HalfCauchy":
            return .computed(e(&self, .mul, x, e(&self, .div, argumentsC[0], argumentsF[0])))
        case "Gamma" where fixed(0):
            // Rate β: x' = x β / β'.
            return .computed(e(&self, .div, e(&self, .mul, x, argumentsF[1]), argumentsC[1]))
        case "InverseGamma" where fixed(0), "Weibull" where fixed(0):
            return .computed(e(&self, .mul, x, e(&self, .div, argumentsC[1], argumentsF[1])))
        case "Pareto" where fixed(1):
            return .computed(e(&self, .mul, x, e(&self, .div, argumentsC[0], argumentsF[0])))
        case "Dirac":
            return .computed(argumentsC[0])
        case "Bernoulli":
            return .drawn("Bernoulli", [try bernoulliCoupling(x, p: argumentsF[0], q: argumentsC[0])])
        case "Categorical":
            return .drawn("Categorical", [categoricalCoupling(x, p: argumentsF[0], q: argumentsC[0])])
        default:
            break
        }
        throw unsupported(instruction, "making the noise of a \(family) choice explicit when its parameters depend on other choices (docs/causal.md lists the families)")
    }

    /// P(x' = 1 | x) when x = [u > 1 − p] and x' = [u > 1 − q] share one uniform u:
    /// min(p, q)/p after x = 1 and max(0, q − p)/(1 − p) after x = 0 (q itself where p is 0 or 1).
    mutating func bernoulliCoupling(_ x: ValueID, p: ValueID, q: ValueID) throws(DiagnosticList) -> ValueID {
        let p = emitter.real(p), q = emitter.real(q)
        let isOne = emitter.binary(.eq, x, emitter.constant(1))
        return try emitter.select(isOne, .real, then: { e throws(DiagnosticList) in
            let positive = e.binary(.gt, p, e.constant(0.0))
            return try e.select(positive, .real, then: { e in
                e.binary(.div, e.emit(.builtin(.min, [p, q]), .real), p)
            }, otherwise: { _ in q })
        }, otherwise: { e throws(DiagnosticList) in
            let belowOne = e.binary(.lt, p, e.constant(1.0))
            return try e.select(belowOne, .real, then: { e in
                let gain = e.emit(.builtin(.max, [e.constant(0.0), e.binary(.sub, q, p)]), .real)
                return e.binary(.div, gain, e.binary(.sub, e.constant(1.0), p))
            }, otherwise: { _ in q })
        })
    }

    /// P(x' = j | x = k) when x and x' invert the CDFs of p and q at one shared uniform u: the
    /// overlap of u's cell [P_{k−1}, P_k) with [Q_{j−1}, Q_j), over p_k (q itself when p_k = 0).
    mutating func categoricalCoupling(_ x: ValueID, p: ValueID, q: ValueID) -> ValueID {
        let zero = emitter.constant(0.0)
        // a = P_{k−1} = Σ_{i<k} p_i
        let start = emitter.constant(0)
        let lowerArguments = [emitter.newValue(.int, name: "i"), emitter.newValue(.real, name: "cdf")]
        emitter.begin()
        let pi = emitter.emit(.index(p, lowerArguments[0]), .real)
        emitter.emit(.yield([emitter.binary(.add, lowerArguments[1], pi)]), nil)
        let lowerBody = emitter.end(arguments: lowerArguments)
        let a = emitter.newValue(.real, name: "cell")
        emitter.append(Instruction(.forLoop(ForLoop(lower: start, upper: x, initial: [zero], body: lowerBody)),
                                   results: [a], at: emitter.location))
        let pk = emitter.emit(.index(p, x), .real)
        let b = emitter.binary(.add, a, pk)
        let positive = emitter.binary(.gt, pk, zero)
        let count = emitter.emit(.builtin(.len, [q]), .int)
        let arguments = [emitter.newValue(.int, name: "j"), emitter.newValue(.array(.real), name: "coupled"),
                         emitter.newValue(.real, name: "cdf")]
        emitter.begin()
        let qj = emitter.emit(.index(q, arguments[0]), .real)
        let hi = emitter.binary(.add, arguments[2], qj)
        let top = emitter.emit(.builtin(.min, [b, hi]), .real)
        let bottom = emitter.emit(.builtin(.max, [a, arguments[2]]), .real)
        let overlap = emitter.emit(.builtin(.max, [zero, emitter.binary(.sub, top, bottom)]), .real)
        let safe = emitter.emit(.builtin(.max, [pk, emitter.constant(Double.leastNormalMagnitude)]), .real)
        let ratio = emitter.binary(.div, overlap, safe)
        // Where p_k = 0 the factual outcome is impossible (weight zero); q keeps the run well defined.
        let rj = (try? emitter.select(positive, .real, then: { _ in ratio }, otherwise: { _ in qj })) ?? qj
        let updated = emitter.emit(.setIndex(arguments[1], arguments[0], rj), .array(.real))
        emitter.emit(.yield([updated, hi]), nil)
        let body = emitter.end(arguments: arguments)
        let coupled = emitter.newValue(.array(.real), name: "coupled")
        let total = emitter.newValue(.real, name: "cdf")
        emitter.append(Instruction(.forLoop(ForLoop(lower: start, upper: count, initial: [q, zero], body: body)),
                                   results: [coupled, total], at: emitter.location))
        return coupled
    }

    mutating func load(_ instruction: Instruction, _ address: AddressExpr) throws(DiagnosticList) {
        guard let result = instruction.result else { return }
        let type = original.type(of: result)
        let addressF = renamed(AddressExpr(address.components.map { if case .index(let v) = $0 { .index(f(v)) } else { $0 } }))
        let factCases = guards(factual.interventions[address.root] ?? [], addressF.indexValues)
        factualValue[result] = try guarded(factCases, type: type, name: nil, replace: { t, fact throws(DiagnosticList) in
            try t.factual.replacement(fact, remaining: Array(addressF.indexValues.dropFirst(fact.address.indices.count)),
                                      type: type, into: &t.emitter)
        }, fallback: { t in t.emitter.emit(.load(addressF), type) })
        let addressC = AddressExpr(address.components.map { if case .index(let v) = $0 { .index(c(v)) } else { $0 } })
        let cases = guards((counterfactual.interventions[address.root] ?? []).filter(\.isHard), addressC.indexValues)
        counterfactualValue[result] = try guarded(cases, type: type, name: nil, replace: { t, intervention throws(DiagnosticList) in
            try t.counterfactual.replacement(intervention, remaining: Array(addressC.indexValues.dropFirst(intervention.address.indices.count)),
                                             type: type, into: &t.emitter)
        }, fallback: { t in t.emitter.emit(.load(addressC), type) })
    }
}

