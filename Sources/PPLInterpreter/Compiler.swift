import PPLDistributions
import PPLIR

/// An IR module compiled for the VM: flat code per function, interned names, the site table.
final class CompiledProgram: Sendable {
    let functions: [CompiledFunction]
    /// What the executor's loop reads of each function, behind one reference.
    let hotCode: [FunctionCode]
    let entry: Int
    let names: [String]
    let nameIDs: [String: Int]
    let sites: [GlobalSite]
    let module: Module
    /// Value types of registers, indexed by `Reg.typeID`.
    let types: [ValueType]
    /// Per global site: how to re-score it without its slice (nil: run the slice), and its kind;
    /// flat and trivially copyable so that local updates read them without reference counting.
    let directScores: [DirectScore?]
    let siteKinds: [SiteSpec.Kind]
    /// Per global site: whether its slice reads a choice through an array indexed by another (`LeafSelector`).
    let selectorSites: [Bool]
    /// Per global site: its support when fixed, and what its scalar draws are (for `VMTrace.value`).
    let siteFixedSupports: [Support?]
    let siteScalarKinds: [ScalarKind]

    init(_ module: Module) throws(CompileError) {
        guard let entry = module.functionIndex(named: module.entry) else {
            throw CompileError("the module has no function named '\(module.entry)'")
        }
        var names: [String] = []
        var nameIDs: [String: Int] = [:]
        func intern(_ name: String) -> Int {
            if let id = nameIDs[name] { return id }
            names.append(name)
            nameIDs[name] = names.count - 1
            return names.count - 1
        }
        var functions: [CompiledFunction] = []
        var sites: [GlobalSite] = []
        var types: [ValueType] = []
        var typeIDs: [ValueType: Int32] = [:]
        func internType(_ type: ValueType) -> Int32 {
            if let id = typeIDs[type] { return id }
            types.append(type)
            typeIDs[type] = Int32(types.count - 1)
            return Int32(types.count - 1)
        }
        func typeOf(_ id: Int32) -> ValueType { types[Int(id)] }
        for (index, function) in module.functions.enumerated() {
            var compiler = FunctionCompiler(module: module, function: function, functionIndex: index,
                                            intern: intern, internType: internType, typeOf: typeOf,
                                            firstGlobalSite: sites.count)
            var compiled = try compiler.compile()
            compiled.hotSites = compiled.sites.map(HotSite.init)
            compiled.hotLoads = compiled.loads.map(HotLoad.init)
            for (local, site) in compiled.sites.enumerated() {
                let support = site.fixedSupport
                let drawType: ValueType = site.kind == .factor ? .real : typeOf(site.value.typeID)
                let familyName = site.kind == .factor ? "factor" : site.family.name
                sites.append(GlobalSite(function: index, local: local, kind: site.kind, familyName: familyName,
                                        fixedSupport: support, drawType: drawType, location: site.location))
            }
            functions.append(compiled)
        }
        let randomness = Randomness(module)
        for k in functions.indices {
            let irFunction = module.functions[k]
            let randomParameters = Set(irFunction.parameters.filter { randomness.isRandom($0.value, in: irFunction.name) }
                .compactMap { functions[k].registerOfValue[$0.value.raw].map(Slicer.key) })
            let randomCallees = Set(module.functions.indices.filter { randomness.randomReturn.contains(module.functions[$0].name) })
            functions[k].slices = Slicer(function: functions[k], randomParameters: randomParameters,
                                         randomCallees: randomCallees).slices()
        }
        self.functions = functions
        self.hotCode = functions.map { FunctionCode(code: $0.code, hotSites: $0.hotSites, hotLoads: $0.hotLoads) }
        self.entry = entry
        self.names = names
        self.nameIDs = nameIDs
        self.sites = sites
        self.directScores = sites.map { functions[$0.function].slices[$0.local].direct }
        self.selectorSites = sites.map { !functions[$0.function].slices[$0.local].selectors.isEmpty }
        self.siteKinds = sites.map(\.kind)
        self.siteFixedSupports = sites.map(\.fixedSupport)
        self.siteScalarKinds = sites.map { ScalarKind($0.drawType) }
        self.module = module
        self.types = types
    }

    func type(of r: Reg) -> ValueType { types[Int(r.typeID)] }
}

private struct FunctionCompiler {
    let module: Module
    let function: Function
    let functionIndex: Int
    let intern: (String) -> Int
    let internType: (ValueType) -> Int32
    let typeOf: (Int32) -> ValueType
    let firstGlobalSite: Int
    var arrays: [ArraySpec] = []
    var generics: [GenericSpec] = []

    var code: [Code] = []
    var registers: [Int: Reg] = [:]
    var counts: [Int32] = [0, 0, 0]
    var sites: [SiteSpec] = []
    var loads: [LoadSpec] = []
    var gathers: [GatherSpec] = []
    var reports: [ReportSpec] = []
    var calls: [CallSpec] = []
    var locations: [String] = []
    var memorySlotOfName: [String: Int] = [:]
    var callCounterOf: [String: Int32] = [:]
    var hoisted = Set<Int>()

    init(module: Module, function: Function, functionIndex: Int, intern: @escaping (String) -> Int,
         internType: @escaping (ValueType) -> Int32, typeOf: @escaping (Int32) -> ValueType, firstGlobalSite: Int) {
        self.module = module
        self.function = function
        self.functionIndex = functionIndex
        self.intern = intern
        self.internType = internType
        self.typeOf = typeOf
        self.firstGlobalSite = firstGlobalSite
    }

    static func file(of type: ValueType) -> Reg.File {
        switch type {
        case .real: .real
        case .int, .bool: .int
        case .array, .matrix: .object
        }
    }

    mutating func fresh(_ type: ValueType) -> Reg {
        let file = Self.file(of: type)
        let index = counts[Int(file.rawValue)]
        counts[Int(file.rawValue)] += 1
        return Reg(file: file, index: index, typeID: internType(type))
    }

    mutating func reg(_ value: ValueID) -> Reg {
        if let r = registers[value.raw] { return r }
        let r = fresh(function.type(of: value))
        registers[value.raw] = r
        return r
    }

    /// The value in a real register, converting an Int or Bool.
    mutating func real(_ value: ValueID) -> Int32 {
        let r = reg(value)
        if r.file == .real { return r.index }
        let t = fresh(.real)
        code.append(.itor(t.index, r.index))
        return t.index
    }

    mutating func location(_ instruction: Instruction) -> Int32 {
        locations.append(instruction.location?.description ?? function.name)
        return Int32(locations.count - 1)
    }

    mutating func move(_ to: Reg, _ from: Reg) {
        switch (to.file, from.file) {
        case (.real, .real): code.append(.movR(to.index, from.index))
        case (.int, .int): code.append(.movI(to.index, from.index))
        case (.object, .object): code.append(.movO(to.index, from.index))
        case (.real, .int): code.append(.itor(to.index, from.index))
        default: break
        }
    }

    mutating func scanMemory(_ region: Region) {
        for instruction in region.instructions {
            switch instruction.op {
            case .load(let address):
                if memorySlotOfName[address.root] == nil { memorySlotOfName[address.root] = memorySlotOfName.count }
            case .gather(let name):
                if memorySlotOfName[name] == nil { memorySlotOfName[name] = memorySlotOfName.count }
            default: break
            }
            for nested in instruction.op.regions { scanMemory(nested) }
        }
    }

    mutating func compile() throws(CompileError) -> CompiledFunction {
        scanMemory(function.body)
        let parameters = function.parameters.map { reg($0.value) }
        // Constants are SSA values with no inputs: load them once on entry, not in every loop iteration.
        try hoistConstants(function.body)
        try region(function.body, targets: [])
        if case .ret? = function.body.instructions.last?.op {} else { code.append(.ret(nil)) }
        return CompiledFunction(
            name: function.name, nameID: intern(function.name), code: code,
            realCount: Int(counts[0]), intCount: Int(counts[1]), objectCount: Int(counts[2]),
            parameters: parameters, returnType: function.returnType, sites: sites, loads: loads,
            gathers: gathers, reports: reports, calls: calls, locations: locations,
            memorySlots: memorySlotOfName.count, registerOfValue: registers, arrays: arrays, generics: generics)
    }

    mutating func hoistConstants(_ region: Region) throws(CompileError) {
        for instruction in region.instructions {
            if case .constant = instruction.op, let r = instruction.result {
                try self.instruction(instruction, targets: [])
                hoisted.insert(r.raw)
            }
            for nested in instruction.op.regions { try hoistConstants(nested) }
        }
    }

    mutating func address(_ expr: AddressExpr) -> ([AddressPart], [Int32]) {
        var parts: [AddressPart] = []
        var indices: [Int32] = []
        for component in expr.components {
            switch component {
            case .name(let n): parts.append(.name(intern(n)))
            case .index(let v):
                let r = reg(v)
                parts.append(.index(r.index))
                indices.append(r.index)
            }
        }
        return (parts, indices)
    }

    /// Compiles a region; its `yield` moves into `targets`.
    mutating func region(_ region: Region, targets: [Reg]) throws(CompileError) {
        for instruction in region.instructions { try self.instruction(instruction, targets: targets) }
    }

    mutating func addSite(_ kind: SiteSpec.Kind, _ expr: AddressExpr, family: String, arguments: [ValueID],
                          value: Reg, instruction: Instruction) throws(CompileError) {
        let (parts, indices) = address(expr)
        let args = arguments.map { reg($0) }
        let familyKind: FamilyKind = kind == .factor ? .scalar(.dirac) : try FamilyKind(family)
        let last = fresh(.int)
        sites.append(SiteSpec(kind: kind, global: firstGlobalSite + sites.count, family: familyKind,
                              arguments: args, value: value, nameID: intern(expr.root.isEmpty ? "factor" : expr.root),
                              address: parts, indexRegisters: indices,
                              memorySlot: memorySlotOfName[expr.root] ?? -1, lastInstance: last.index,
                              location: instruction.location?.description ?? function.name,
                              fixedSupport: Self.fixedSupport(familyKind, kind), valueIsBool: typeOf(value.typeID) == .bool))
        code.append(.site(Int32(sites.count - 1)))
    }

    static func fixedSupport(_ family: FamilyKind, _ kind: SiteSpec.Kind) -> Support? {
        guard kind != .factor, case .scalar(let id) = family else { return nil }
        switch id {
        case .bernoulli: return .booleans
        case .normal, .studentT, .cauchy, .laplace, .logistic: return .real
        case .halfNormal, .halfCauchy, .logNormal, .exponential, .gamma, .inverseGamma, .chiSquared, .weibull: return .positive
        case .beta: return .unitInterval
        case .poisson, .geometric, .negativeBinomial: return .naturals
        default: return nil
        }
    }

    mutating func instruction(_ instruction: Instruction, targets: [Reg]) throws(CompileError) {
        let result = instruction.result.map { reg($0) }
        switch instruction.op {
        case .constant(let c):
            guard let d = result, !hoisted.contains(instruction.result?.raw ?? -1) else { return }
            switch c {
            case .real(let x): code.append(d.file == .real ? .constR(d.index, x) : .constI(d.index, Int(x)))
            case .int(let n): code.append(d.file == .real ? .constR(d.index, Double(n)) : .constI(d.index, n))
            case .bool(let b): code.append(.constI(d.index, b ? 1 : 0))
            }
        case .setIndex(let a, let i, let v):
            guard let d = result else { return }
            emitGeneric(.setIndex, d, [reg(a), reg(i), reg(v)], instruction)
        case .unary(let op, let a) where result?.file == .object:
            if let d = result { emitGeneric(.unary(op), d, [reg(a)], instruction) }
        case .binary(let op, let a, let b) where result?.file == .object || reg(a).file == .object || reg(b).file == .object:
            guard let d = result else { return }
            emitGeneric(.binary(op), d, [reg(a), reg(b)], instruction)
        case .toReal(let a) where result?.file == .object:
            if let d = result { emitGeneric(.toReal, d, [reg(a)], instruction) }
        case .builtin(let f, let args) where result?.file == .object || (args.contains { reg($0).file == .object }
                                                                          && ![.len, .sum, .mean, .logSumExp].contains(f)):
            guard let d = result else { return }
            emitGeneric(.builtin(f), d, args.map { reg($0) }, instruction)
        case .unary(let op, let a):
            guard let d = result else { return }
            let ra = reg(a)
            switch (op, d.file) {
            case (.neg, .real): code.append(.negR(d.index, real(a)))
            case (.neg, _): code.append(.negI(d.index, ra.index))
            case (.not, _): code.append(.notI(d.index, ra.index))
            }
        case .binary(let op, let a, let b):
            guard let d = result else { return }
            try binary(op, a, b, d, instruction)
        case .convert(let a):
            guard let d = result else { return }
            let ra = reg(a)
            if typeOf(d.typeID) == .bool && typeOf(ra.typeID) != .bool {
                let zero = fresh(.int)
                code.append(.constI(zero.index, 0))
                code.append(.cmpI(.ne, d.index, ra.index, zero.index))
            } else {
                move(d, ra)
            }
        case .toReal(let a):
            guard let d = result else { return }
            let ra = reg(a)
            code.append(ra.file == .real ? .movR(d.index, ra.index) : .itor(d.index, ra.index))
        case .builtin(let f, let args):
            guard let d = result else { return }
            try builtin(f, args, d, instruction)
        case .array(let xs):
            guard let d = result, case .array(let element) = typeOf(d.typeID) else { return }
            let elements = xs.map { reg($0) }
            arrays.append(ArraySpec(elements: elements, elementType: element))
            code.append(.makeArray(d.index, Int32(arrays.count - 1)))
        case .index(let a, let i):
            guard let d = result else { return }
            let ra = reg(a), ri = reg(i)
            let loc = location(instruction)
            switch d.file {
            case .real: code.append(.indexR(d.index, ra.index, ri.index, loc))
            case .int: code.append(.indexI(d.index, ra.index, ri.index, loc))
            case .object: code.append(.indexO(d.index, ra.index, ri.index, loc))
            }
        case .sample(let expr, let family, let args):
            guard let d = result else { throw CompileError("sample without a result") }
            try addSite(.sample, expr, family: family, arguments: args, value: d, instruction: instruction)
        case .observe(let expr, let family, let args, let value):
            try addSite(.observe, expr, family: family, arguments: args, value: reg(value), instruction: instruction)
        case .factor(let v):
            let rv = fresh(.real)
            move(rv, reg(v))
            try addSite(.factor, AddressExpr("factor"), family: "", arguments: [], value: rv, instruction: instruction)
        case .load(let expr):
            guard let d = result else { return }
            let (_, indices) = address(expr)
            guard d.file != .object else { throw CompileError("reading array-valued choices by index is not supported yet") }
            loads.append(LoadSpec(memorySlot: memorySlotOfName[expr.root] ?? 0, nameID: intern(expr.root),
                                  indexRegisters: indices, destination: d, instanceRegister: fresh(.int).index,
                                  location: instruction.location?.description ?? function.name))
            code.append(.load(Int32(loads.count - 1)))
        case .gather(let name):
            guard let d = result, case .array(let element) = typeOf(d.typeID) else { return }
            gathers.append(GatherSpec(memorySlot: memorySlotOfName[name] ?? 0, destination: d, elementType: element))
            code.append(.gather(Int32(gathers.count - 1)))
        case .report(let expr, let v):
            reports.append(ReportSpec(address: address(expr).0, value: reg(v)))
            code.append(.report(Int32(reports.count - 1)))
        case .call(let callee, let args):
            guard let index = module.functionIndex(named: callee) else { throw CompileError("call of unknown function '\(callee)'") }
            let counter: Int32
            if let c = callCounterOf[callee] { counter = c } else {
                counter = fresh(.int).index
                callCounterOf[callee] = counter
            }
            calls.append(CallSpec(callee: index, calleeNameID: intern(callee), arguments: args.map { reg($0) },
                                  destination: result, counter: counter,
                                  location: instruction.location?.description ?? function.name))
            code.append(.call(Int32(calls.count - 1)))
        case .forLoop(let loop):
            let results = instruction.results.map { reg($0) }
            for (r, v) in zip(results, loop.initial) { move(r, reg(v)) }
            let induction = reg(loop.body.arguments[0])
            let lower = reg(loop.lower), upper = reg(loop.upper)
            code.append(.movI(induction.index, lower.index))
            let head = code.count
            code.append(.forCheck(induction.index, upper.index, -1))
            for (a, r) in zip(loop.body.arguments.dropFirst(), results) { move(reg(a), r) }
            try region(loop.body, targets: results)
            code.append(.forNext(induction.index, Int32(head)))
            code[head] = .forCheck(induction.index, upper.index, Int32(code.count))
        case .ifElse(let branch):
            let results = instruction.results.map { reg($0) }
            let condition = reg(branch.condition)
            let test = code.count
            code.append(.jumpIfFalse(condition.index, -1))
            try region(branch.then, targets: results)
            let skip = code.count
            code.append(.jump(-1))
            code[test] = .jumpIfFalse(condition.index, Int32(code.count))
            try region(branch.otherwise, targets: results)
            code[skip] = .jump(Int32(code.count))
        case .whileLoop(let loop):
            let carried = loop.initial.map { fresh(function.type(of: $0)) }
            for (c, v) in zip(carried, loop.initial) { move(c, reg(v)) }
            let counter = fresh(.int)
            let whileLocation = location(instruction)
            code.append(.constI(counter.index, 0))
            let head = code.count
            for (a, c) in zip(loop.before.arguments, carried) { move(reg(a), c) }
            let bodyArguments = loop.body.arguments.map { reg($0) }
            for inner in loop.before.instructions {
                if case .condition(let c, let xs) = inner.op {
                    for (a, x) in zip(bodyArguments, xs) { move(a, reg(x)) }
                    let test = code.count
                    code.append(.jumpIfFalse(reg(c).index, -1))
                    code.append(.whileCount(counter.index, loop.maxIterations, whileLocation))
                    try region(loop.body, targets: carried)
                    code.append(.jump(Int32(head)))
                    code[test] = .jumpIfFalse(reg(c).index, Int32(code.count))
                } else {
                    try self.instruction(inner, targets: [])
                }
            }
            for (r, a) in zip(instruction.results, bodyArguments) { move(reg(r), a) }
        case .yield(let xs):
            for (t, x) in zip(targets, xs) { move(t, reg(x)) }
        case .condition:
            throw CompileError("'condition' outside a while loop")
        case .ret(let v):
            code.append(.ret(v.map { reg($0) }))
        }
    }

    mutating func emitGeneric(_ op: GenericOp, _ d: Reg, _ args: [Reg], _ instruction: Instruction) {
        generics.append(GenericSpec(op: op, destination: d, arguments: args, location: location(instruction)))
        code.append(.generic(Int32(generics.count - 1)))
    }

    mutating func binary(_ op: BinaryOp, _ a: ValueID, _ b: ValueID, _ d: Reg, _ instruction: Instruction) throws(CompileError) {
        let ra = reg(a), rb = reg(b)
        let useReal = ra.file == .real || rb.file == .real || (d.file == .real && op != .and && op != .or)
        switch op {
        case .add, .sub, .mul, .div, .mod, .pow:
            if d.file == .real || op == .pow {
                let x = real(a), y = real(b)
                let target = d.file == .real ? d.index : fresh(.real).index
                switch op {
                case .add: code.append(.addR(target, x, y))
                case .sub: code.append(.subR(target, x, y))
                case .mul: code.append(.mulR(target, x, y))
                case .div: code.append(.divR(target, x, y, location(instruction)))
                case .mod: code.append(.modR(target, x, y, location(instruction)))
                default: code.append(.powR(target, x, y))
                }
                if d.file != .real { throw CompileError("'\(op.rawValue)' of integers must give Real") }
            } else {
                switch op {
                case .add: code.append(.addI(d.index, ra.index, rb.index))
                case .sub: code.append(.subI(d.index, ra.index, rb.index))
                case .mul: code.append(.mulI(d.index, ra.index, rb.index))
                case .div: code.append(.divI(d.index, ra.index, rb.index, location(instruction)))
                default: code.append(.modI(d.index, ra.index, rb.index, location(instruction)))
                }
            }
        case .lt, .le, .gt, .ge, .eq, .ne:
            if useReal { code.append(.cmpR(op, d.index, real(a), real(b))) } else { code.append(.cmpI(op, d.index, ra.index, rb.index)) }
        case .and: code.append(.andI(d.index, ra.index, rb.index))
        case .or: code.append(.orI(d.index, ra.index, rb.index))
        }
    }

    mutating func builtin(_ f: Builtin, _ args: [ValueID], _ d: Reg, _ instruction: Instruction) throws(CompileError) {
        let loc = location(instruction)
        switch f {
        case .len:
            code.append(.len(d.index, reg(args[0]).index))
        case .sum, .mean,                             // one array argument (the checker's arity)
             .logSumExp where args.count == 1:        // log_sum_exp(xs); log_sum_exp(a, b) is below
            let a = reg(args[0])
            if d.file == .int { code.append(.sumI(d.index, a.index)) } else { code.append(.reduceR(f, d.index, a.index, loc)) }
        case .min, .max, .pow, .logSumExp:
            guard args.count == 2 else { throw CompileError("'\(f.rawValue)' takes two arguments") }
            if d.file == .int {
                let ra = reg(args[0]), rb = reg(args[1])
                code.append(f == .min ? .minI(d.index, ra.index, rb.index) : .maxI(d.index, ra.index, rb.index))
            } else {
                code.append(.math2(f, d.index, real(args[0]), real(args[1]), loc))
            }
        case .abs where d.file == .int:
            code.append(.absI(d.index, reg(args[0]).index))
        case .toReal:
            move(d, reg(args[0]))
        default:
            guard args.count == 1 else { throw CompileError("'\(f.rawValue)' takes one argument") }
            if d.file == .int {
                let t = fresh(.real)
                code.append(.math1(f, t.index, real(args[0]), loc))
                throw CompileError("'\(f.rawValue)' gives Real, not Int")
            }
            code.append(.math1(f, d.index, real(args[0]), loc))
        }
    }
}
