import PPLDiagnostics
import PPLDistributions
import PPLIR

/// Graph surgery for `do(...)`: each intervened `sample` becomes its new value, so its prior leaves
/// the density, its incoming edges are cut, and everything downstream reads the new value.
///
/// For `do(x = v)` the choice `x` is no longer a latent at all: engines never see, propose to or
/// score it (the value is reported as a deterministic quantity when `x` is a scalar choice).
/// `do(z[3] = v)` on a choice made in a loop becomes `if i == 3 { v } else { sample @z[i] ... }`;
/// `do(z = v)` replaces every element (an array value gives element `i` to `z[i]`);
/// `do(x = 0.5 * y)` computes the value from other variables where `x` was drawn;
/// `do(x ~ Normal(0, 1))` keeps `x` a latent with the new distribution and no parents.
/// Reads of an intervened choice (`load`, `gather`) see the new value too.
/// Pearl (2009), Causality, 3.2; Jacobs, Kissinger & Zanasi (2019), Causal inference by string
/// diagram surgery, FoSSaCS, LNCS 11425.
public struct Intervene: Pass {
    public static let name = "intervene"
    public var interventions: [Intervention]

    public init(_ interventions: [Intervention]) { self.interventions = interventions }

    public func run(_ module: inout Module) throws {
        if interventions.isEmpty { return }
        guard let index = module.functionIndex(named: module.entry) else {
            throw PassError(pass: Self.name, "internal error: no entry function '\(module.entry)'")
        }
        let function = module.functions[index]
        let sites = SiteTable(function, module: module)
        try validateInterventions(interventions, sites: sites, function: function)
        var surgery = Surgery(function: function, sites: sites, interventions: interventions)
        var result = try surgery.run()
        removeDeadCode(&result)
        module.functions[index] = result
        module.facts = ModuleFacts()
    }
}

/// Checks each address names a latent choice of the entry function, once; all problems together.
func validateInterventions(_ interventions: [Intervention], sites: SiteTable, function: Function,
                           clause: String = "do") throws(DiagnosticList) {
    var problems: [Diagnostic] = []
    let verb = clause == "do" ? "intervene on" : "condition on"
    let participle = clause == "do" ? "intervened on" : "given"
    for (k, intervention) in interventions.enumerated() {
        let address = intervention.address
        let span = intervention.span
        for other in interventions[..<k] where other.address.overlaps(address) {
            let what = other.address == address ? "twice" : "twice (as '\(other.address)' and '\(address)')"
            problems.append(.error("'\(address)' is \(participle) \(what)", at: span,
                                   notes: [.init("give each choice one value in '\(clause)(...)'", at: other.span)]))
        }
        guard let instances = sites.latent[address.root] else {
            if sites.observed[address.root] != nil {
                problems.append(.error("cannot \(verb) '\(address)': it is an observation, not a latent choice", at: span,
                                       notes: [.init("to change data, pass different data; to condition on a latent choice, use 'given(...)'")]))
            } else if function.parameters.contains(where: { $0.name == address.root }) {
                problems.append(.error("cannot \(verb) '\(address)': it is a parameter of '\(function.name)'", at: span,
                                       notes: [.init("pass its value as an argument")]))
            } else if sites.calls.contains(address.root) {
                problems.append(.error("cannot \(verb) '\(address)': interventions on choices inside function calls are not supported", at: span))
            } else {
                let notes: [Diagnostic.Note] = closestCandidate(to: address.root, among: sites.latentOrder)
                    .map { [.init("did you mean '\($0)'?")] }
                    ?? [.init("latent choices of '\(function.name)': \(sites.latentOrder.joined(separator: ", "))")]
                problems.append(.error("no latent choice '\(address)' in model '\(function.name)'", at: span, notes: notes))
            }
            continue
        }
        let depth = instances.map(\.indexCount).max() ?? 0
        if address.indices.count > depth {
            problems.append(.error("no latent choice '\(address)' in model '\(function.name)': '\(address.root)' takes \(depth) ind\(depth == 1 ? "ex" : "ices")", at: span))
            continue
        }
        if instances.allSatisfy({ $0.constantIndices != nil }),
           !instances.contains(where: { zip($0.constantIndices ?? [], address.indices).allSatisfy { $0 == $1 } }) {
            let existing = instances.compactMap { $0.constantIndices }.map { InterventionAddress(address.root, $0).description }
            problems.append(.error("no latent choice '\(address)' in model '\(function.name)'", at: span,
                                   notes: [.init("'\(address.root)' has: \(existing.joined(separator: ", "))")]))
            continue
        }
        if case .distribution(let family, let arguments) = intervention.value {
            guard let f = Catalogue.family(named: family) else {
                problems.append(.error("unknown distribution '\(family)' in intervention on '\(address)'", at: span))
                continue
            }
            if f.parameters.count != arguments.count {
                problems.append(.error("\(family) takes \(f.parameters.count) arguments, got \(arguments.count), in intervention on '\(address)'", at: span))
            }
            if let type = instances.first?.type, f.drawType != type {
                problems.append(.error("'\(address)' is a \(type) choice but \(family) draws \(f.drawType)", at: span))
            }
        }
    }
    if !problems.isEmpty { throw DiagnosticList(problems) }
}

/// Emits an intervention's value where a choice was made, resolving the variables it reads.
struct ValueEmitter {
    var interventions: [String: [Intervention]]
    var sites: SiteTable
    var parameters: [String: ValueID]
    /// Values of scalar choices and reported names visible at this point, innermost last.
    var scopes: [[String: ValueID]] = [[:]]
    /// Roots whose first site has been passed, so a `load` of them can succeed.
    var seenRoots: Set<String> = []
    /// Interventions being emitted, to report cycles (`do(x = y, y = x)`).
    var resolving: [InterventionAddress] = []
    /// Renames addresses of loads (the factual world of a twin network reads `x_factual`).
    var loadRoot: (String) -> String = { $0 }

    init(interventions: [Intervention], sites: SiteTable, function: Function) {
        self.interventions = Dictionary(grouping: interventions, by: \.address.root)
        self.sites = sites
        self.parameters = Dictionary(function.parameters.map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a })
    }

    func lookup(_ name: String) -> ValueID? {
        for scope in scopes.reversed() { if let v = scope[name] { return v } }
        return nil
    }

    mutating func bind(_ name: String, _ value: ValueID) { scopes[scopes.count - 1][name] = value }

    func fail(_ intervention: Intervention, _ message: String, notes: [Diagnostic.Note] = []) -> DiagnosticList {
        DiagnosticList([.error(message, at: intervention.span, notes: notes)])
    }

    /// The hard intervention whose address covers `address`, if any.
    func hardIntervention(covering address: InterventionAddress) -> Intervention? {
        interventions[address.root]?.first { i in
            if case .distribution = i.value { return false }
            return i.address.indices.count <= address.indices.count
                && zip(i.address.indices, address.indices).allSatisfy { $0 == $1 }
        }
    }

    /// The value of a hard intervention at one element: its expression indexed by the site's further indices.
    mutating func replacement(_ intervention: Intervention, remaining: [ValueID], type: ValueType,
                              into e: inout IREmitter) throws(DiagnosticList) -> ValueID {
        guard case .value(var expr) = intervention.value else {
            throw fail(intervention, "internal error: not a hard intervention")
        }
        // `--do smoking=0.0` on an Int choice means 0.
        if type == .int, case .real(let x) = expr, x == x.rounded(), abs(x) < 1e15 { expr = .int(Int(x)) }
        if resolving.contains(intervention.address) {
            throw fail(intervention, "interventions on '\(intervention.address)' read each other in a cycle: \((resolving + [intervention.address]).map(\.description).joined(separator: " -> "))")
        }
        resolving.append(intervention.address)
        defer { resolving.removeLast() }
        var v = try emit(expr, for: intervention, into: &e)
        for index in remaining {
            guard case .array(let element) = e.type(of: v) else { break }
            v = e.emit(.index(v, index), element)
        }
        return try convert(v, to: type, for: intervention, into: &e)
    }

    /// Converts to the choice's type: Int widens to Real, Bool becomes 0/1.
    mutating func convert(_ v: ValueID, to type: ValueType, for intervention: Intervention,
                          into e: inout IREmitter) throws(DiagnosticList) -> ValueID {
        let from = e.type(of: v)
        if from == type { return v }
        switch (from, type) {
        case (.int, .real), (.bool, .real): return e.real(v)
        case (.bool, .int):
            return e.emit(.convert(v), .int)
        default:
            throw fail(intervention, "'\(intervention.address)' is a \(type) choice but its intervened value '\(intervention.value)' is \(from)")
        }
    }

    mutating func emit(_ expr: InterventionExpr, for intervention: Intervention,
                       into e: inout IREmitter) throws(DiagnosticList) -> ValueID {
        switch expr {
        case .real(let x): return e.constant(x)
        case .int(let n): return e.constant(n)
        case .bool(let b): return e.constant(b)
        case .array(let xs):
            var values: [ValueID] = []
            for x in xs { values.append(try emit(x, for: intervention, into: &e)) }
            let element: ValueType = values.contains { e.type(of: $0) == .real } ? .real : (values.first.map { e.type(of: $0) } ?? .real)
            if element == .real { values = values.map { e.real($0) } }
            return e.emit(.array(values), .array(element))
        case .unary(let op, let a):
            let v = try emit(a, for: intervention, into: &e)
            return e.emit(.unary(op, v), op == .not ? .bool : e.type(of: v))
        case .binary(let op, let a, let b):
            let x = try emit(a, for: intervention, into: &e)
            let y = try emit(b, for: intervention, into: &e)
            return e.binary(op, x, y)
        case .builtin(let f, let xs):
            var values: [ValueID] = []
            for x in xs { values.append(try emit(x, for: intervention, into: &e)) }
            let types = values.map { e.type(of: $0) }
            let result: ValueType
            switch f {
            case .len: result = .int
            case .abs, .min, .max: result = types.allSatisfy { $0 == .int } ? .int : .real
            case .sum:
                if case .array(let element)? = types.first { result = element } else { result = .real }
            default: result = .real
            }
            if result == .real, f != .sum, f != .mean, f != .logSumExp, f != .len {
                var widened: [ValueID] = []
                for v in values {
                    if case .array = e.type(of: v) { widened.append(v) } else { widened.append(e.real(v)) }
                }
                values = widened
            }
            return e.emit(.builtin(f, values), result)
        case .reference(let address):
            return try reference(address, for: intervention, into: &e)
        }
    }

    mutating func reference(_ address: InterventionAddress, for intervention: Intervention,
                            into e: inout IREmitter) throws(DiagnosticList) -> ValueID {
        func indexed(_ base: ValueID, _ indices: [Int], into e: inout IREmitter) throws(DiagnosticList) -> ValueID {
            var v = base
            for k in indices {
                guard case .array(let element) = e.type(of: v) else {
                    throw fail(intervention, "'\(address)' has more indices than '\(address.root)' has dimensions")
                }
                v = e.emit(.index(v, e.constant(k)), element)
            }
            return v
        }
        if let other = hardIntervention(covering: address) {
            let type = sites.latent[address.root]?.first?.type ?? .real
            var remaining: [ValueID] = []
            for k in address.indices.dropFirst(other.address.indices.count) { remaining.append(e.constant(k)) }
            return try replacement(other, remaining: remaining, type: type, into: &e)
        }
        if let instances = sites.latent[address.root] {
            if address.indices.isEmpty, let v = lookup(address.root) { return v }
            guard seenRoots.contains(address.root) else {
                throw fail(intervention, "the intervention on '\(intervention.address)' reads '\(address)', which is drawn after it",
                           notes: [.init("an intervened value may only depend on variables drawn before the choice it replaces")])
            }
            let depth = instances.map(\.indexCount).max() ?? 0
            guard address.indices.count == depth else {
                throw fail(intervention, "the intervention on '\(intervention.address)' reads '\(address)'; name one element (\(depth) ind\(depth == 1 ? "ex" : "ices"))")
            }
            var components: [AddressComponent] = [.name(loadRoot(address.root))]
            for k in address.indices { components.append(.index(e.constant(k))) }
            return e.emit(.load(AddressExpr(components)), instances.first?.type ?? .real)
        }
        if let v = parameters[address.root] ?? lookup(address.root) {
            return try indexed(v, address.indices, into: &e)
        }
        let known = sites.latentOrder + parameters.keys.sorted() + scopes.flatMap(\.keys)
        throw fail(intervention, "the intervention on '\(intervention.address)' reads '\(address.root)', which is not a variable of the model",
                   notes: closestCandidate(to: address.root, among: known).map { [.init("did you mean '\($0)'?")] } ?? [])
    }
}

/// Whether an intervention's indices select a site instance: never, always, or when a condition holds.
enum Guard {
    case never, always
    case when(ValueID)
}

/// Compares an intervention's indices with a site's index values, emitting the tests it cannot decide.
func guardFor(_ indices: [Int], siteIndices: [ValueID], constants: [ValueID: Int], into e: inout IREmitter) -> Guard {
    var condition: ValueID?
    for (k, value) in zip(indices, siteIndices) {
        if let c = constants[value] {
            if c != k { return .never }
            continue
        }
        let test = e.binary(.eq, value, e.constant(k))
        condition = condition.map { e.binary(.and, $0, test) } ?? test
    }
    return condition.map { .when($0) } ?? .always
}

/// The rewrite of one function for `Intervene`.
struct Surgery {
    var emitter: IREmitter
    var values: ValueEmitter
    let original: Function
    var substitution: [ValueID: ValueID] = [:]
    var constants: [ValueID: Int] = [:]
    var depth = 0
    /// `Condition` observes the given value where `Intervene` replaces the choice.
    var observeInstead = false

    init(function: Function, sites: SiteTable, interventions: [Intervention], observeInstead: Bool = false) {
        self.original = function
        self.observeInstead = observeInstead
        self.emitter = IREmitter(function: function)
        self.values = ValueEmitter(interventions: interventions, sites: sites, function: function)
    }

    mutating func run() throws(DiagnosticList) -> Function {
        try region(original.body.instructions)
        var result = emitter.function
        result.body = Region(arguments: original.body.arguments, instructions: emitter.finish())
        return result
    }

    func mapped(_ v: ValueID) -> ValueID { substitution[v] ?? v }

    mutating func region(_ instructions: [Instruction]) throws(DiagnosticList) {
        for instruction in instructions { try self.instruction(instruction) }
    }

    mutating func instruction(_ original: Instruction) throws(DiagnosticList) {
        var instruction = original
        instruction.op = original.op.mapOperands { mapped($0) }
        emitter.location = instruction.location
        switch instruction.op {
        case .constant(.int(let n)):
            if let r = instruction.result { constants[r] = n }
            emitter.append(instruction)
        case .sample(let address, let family, let arguments):
            if values.interventions[address.root] != nil {
                try site(instruction, address, family, arguments)
            } else {
                emitter.append(instruction)
                if address.indexValues.isEmpty, let r = instruction.result { values.bind(address.root, r) }
            }
            values.seenRoots.insert(address.root)
        case .load(let address) where values.interventions[address.root]?.contains(where: \.isHard) == true:
            try load(instruction, address)
        case .gather(let name) where values.interventions[name]?.contains(where: \.isHard) == true:
            try gather(instruction, name)
        case .report(let address, let v):
            emitter.append(instruction)
            if address.indexValues.isEmpty { values.bind(address.root, v) }
        case .forLoop, .ifElse, .whileLoop:
            var regions: [Region] = []
            depth += 1
            for nested in instruction.op.regions {
                emitter.begin()
                values.scopes.append([:])
                try region(nested.instructions)
                values.scopes.removeLast()
                regions.append(emitter.end(arguments: nested.arguments))
            }
            depth -= 1
            emitter.location = instruction.location
            instruction.op = instruction.op.replacingRegions(regions)
            emitter.append(instruction)
        default:
            emitter.append(instruction)
        }
    }

    /// Replaces a `sample` by its intervened value, guarded by its indices when needed.
    mutating func site(_ instruction: Instruction, _ address: AddressExpr, _ family: String, _ arguments: [ValueID]) throws(DiagnosticList) {
        guard let result = instruction.result else { emitter.append(instruction); return }
        let type = emitter.type(of: result)
        let cases = values.interventions[address.root] ?? []
        let indices = address.indexValues
        var guards: [(Intervention, Guard)] = []
        for i in cases {
            let g = guardFor(i.address.indices, siteIndices: indices, constants: constants, into: &emitter)
            if case .never = g { continue }
            guards.append((i, g))
            if case .always = g { break }
        }
        if guards.isEmpty {
            emitter.append(instruction)
            if indices.isEmpty { values.bind(address.root, result) }
            return
        }
        func build(_ k: Int, _ s: inout Surgery) throws(DiagnosticList) -> ValueID {
            if k == guards.count {
                s.emitter.append(instruction)
                return result
            }
            let (intervention, g) = guards[k]
            let replace = { (s: inout Surgery) throws(DiagnosticList) -> ValueID in
                switch intervention.value {
                case .value:
                    let remaining = Array(indices.dropFirst(intervention.address.indices.count))
                    let v = try s.values.replacement(intervention, remaining: remaining, type: type, into: &s.emitter)
                    if s.observeInstead {
                        s.emitter.emit(.observe(address, family: family, arguments: arguments, value: v), nil)
                    } else {
                        // The intervened value is reported at the choice's address, so the output shows it.
                        s.emitter.emit(.report(address, v), nil)
                    }
                    return v
                case .distribution(let newFamily, let newArguments):
                    var args: [ValueID] = []
                    for a in newArguments {
                        let v = try s.values.emit(a, for: intervention, into: &s.emitter)
                        args.append(s.emitter.real(v))
                    }
                    return s.emitter.emit(.sample(address, family: newFamily, arguments: args), type,
                                          name: s.emitter.function.values[result.raw].name)
                }
            }
            switch g {
            case .never: return try build(k + 1, &s)
            case .always: return try replace(&s)
            case .when(let condition):
                return try s.selectInSurgery(condition, type, name: s.emitter.function.values[result.raw].name,
                                             then: replace, otherwise: { (s: inout Surgery) throws(DiagnosticList) -> ValueID in try build(k + 1, &s) })
            }
        }
        let value = try build(0, &self)
        if value != result { substitution[result] = value }
        if indices.isEmpty {
            values.bind(address.root, value)
        }

    }

    /// `if condition { then } else { otherwise }` where both branches emit through this surgery.
    mutating func selectInSurgery(_ condition: ValueID, _ type: ValueType, name: String?,
                                  then: (inout Surgery) throws(DiagnosticList) -> ValueID,
                                  otherwise: (inout Surgery) throws(DiagnosticList) -> ValueID) throws(DiagnosticList) -> ValueID {
        emitter.begin()
        values.scopes.append([:])
        let a = try then(&self)
        values.scopes.removeLast()
        emitter.emit(.yield([a]), nil)
        let thenRegion = emitter.end()
        emitter.begin()
        values.scopes.append([:])
        let b = try otherwise(&self)
        values.scopes.removeLast()
        emitter.emit(.yield([b]), nil)
        let elseRegion = emitter.end()
        let result = emitter.newValue(type, name: name)
        emitter.append(Instruction(.ifElse(IfElse(condition: condition, then: thenRegion, otherwise: elseRegion)),
                                   results: [result], at: emitter.location))
        return result
    }

    /// A read of an intervened choice sees the intervened value.
    mutating func load(_ instruction: Instruction, _ address: AddressExpr) throws(DiagnosticList) {
        guard let result = instruction.result else { emitter.append(instruction); return }
        let type = emitter.type(of: result)
        let indices = address.indexValues
        var guards: [(Intervention, Guard)] = []
        for i in values.interventions[address.root] ?? [] where i.isHard {
            let g = guardFor(i.address.indices, siteIndices: indices, constants: constants, into: &emitter)
            if case .never = g { continue }
            guards.append((i, g))
            if case .always = g { break }
        }
        func build(_ k: Int, _ s: inout Surgery) throws(DiagnosticList) -> ValueID {
            if k == guards.count {
                s.emitter.append(instruction)
                return result
            }
            let (intervention, g) = guards[k]
            let remaining = Array(indices.dropFirst(intervention.address.indices.count))
            switch g {
            case .never: return try build(k + 1, &s)
            case .always: return try s.values.replacement(intervention, remaining: remaining, type: type, into: &s.emitter)
            case .when(let condition):
                return try s.selectInSurgery(condition, type, name: nil, then: { s throws(DiagnosticList) in
                    try s.values.replacement(intervention, remaining: remaining, type: type, into: &s.emitter)
                }, otherwise: { (s: inout Surgery) throws(DiagnosticList) -> ValueID in try build(k + 1, &s) })
            }
        }
        let value = try build(0, &self)
        if value != result { substitution[result] = value }
    }

    /// `gather @z` after `do(z = [...])` is the intervened array; partial interventions cannot be gathered.
    mutating func gather(_ instruction: Instruction, _ name: String) throws(DiagnosticList) {
        let hard = (values.interventions[name] ?? []).filter(\.isHard)
        guard hard.count == 1, hard[0].address.indices.isEmpty, case .value(let expr) = hard[0].value,
              case .array = expr, let result = instruction.result else {
            let i = hard[0]
            throw DiagnosticList([.error("cannot intervene on '\(i.address)': the model reads '\(name)' as a whole array", at: i.span,
                                         notes: [.init("intervene on all of '\(name)' with an array value, e.g. '\(name) = [0, 1, 2]'")])])
        }
        let type = emitter.type(of: result)
        let value = try values.replacement(hard[0], remaining: [], type: type, into: &emitter)
        substitution[result] = value
    }
}

extension Intervention {
    /// A hard intervention fixes a value; a stochastic one draws from a new distribution.
    var isHard: Bool {
        if case .value = value { return true }
        return false
    }
}
