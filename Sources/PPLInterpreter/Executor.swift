import Foundation
import PPLDistributions
import PPLInference
import PPLIR

/// How a run treats choices and when it stops; one executor serves every Model method.
struct RunContext {
    /// Record every choice into `trace` (simulate, generate, assess, explore).
    var recording = true
    /// Stop after each observation or factor (SMC particles).
    var stopAfterObservation = false
    /// Stop once this many observations have been passed (replay).
    var stopAtObservationCount: Int?
    /// Stop at the first latent choice with no constraint, reporting its finite support (enumeration).
    var exploring = false
    /// A latent choice with no constraint is an error (assess).
    var requireConstraints = false
    var constraints: [AddressKey: Value]?
    var constraintsUsed = 0
    var trace: VMTrace
    /// Latent choices made since the last stop (particles), by key where the address is a
    /// top-level site with at most one index, as records otherwise.
    var step = StepRecorder()
    var collectStepChoices = false
    var stepLogWeight = 0.0
    /// log prior of latent choices drawn fresh rather than taken from constraints.
    var freshLogPrior = 0.0
    var branch: (Address, [Value])?
    var lastObservationSite = -1
    /// Instance-level dependency recording for local re-scoring.
    var recorder: RescoringRecorder?
    /// Stop once a return brings the call stack back to this many frames (a population running one
    /// call for one particle).
    var returnDepth = 0

    init(trace: VMTrace) { self.trace = trace }
}

extension CompiledProgram {
    /// A state at the start of the entry function with its arguments bound.
    func initialState(arguments: [Obj?], scalars: [Double]) -> VMState {
        var state = VMState()
        let f = functions[entry]
        state.reals = Array(repeating: 0, count: f.realCount)
        state.ints = Array(repeating: 0, count: f.intCount)
        state.objects = Array(repeating: .none, count: f.objectCount)
        for (k, p) in f.parameters.enumerated() {
            switch p.file {
            case .real: state.reals[Int(p.index)] = scalars[k]
            case .int: state.ints[Int(p.index)] = Int(scalars[k])
            case .object: state.objects[Int(p.index)] = arguments[k] ?? .none
            }
        }
        state.frames = [Frame(function: Int32(entry), pc: 0, realBase: 0, intBase: 0, objectBase: 0,
                              returnTo: nil, prefix: nil,
                              memory: FrameMemory(count: f.memorySlots))]
        return state
    }

    func error(_ kind: ModelError.Kind, _ message: String, location: String, prefix: AddressPrefix?, address: Address? = nil) -> ModelError {
        let at = address ?? (prefix == nil ? nil : Address(prefixComponents(prefix)))
        return ModelError(kind, message, location: location, address: at)
    }

    /// Runs until the program finishes or the context asks it to stop.
    func run(_ s: inout VMState, _ ctx: inout RunContext, _ rng: inout RandomStream) throws(ModelError) {
        while !s.finished {
            let fi = s.frames.count - 1
            let fn = Int(s.frames[fi].function)
            let f = hotCode[fn]
            let rb = Int(s.frames[fi].realBase), ib = Int(s.frames[fi].intBase), ob = Int(s.frames[fi].objectBase)
            var pc = Int(s.frames[fi].pc)
            frame: while true {
                let instruction = f.code[pc]
                pc += 1
                switch instruction {
                // The commonest pure instructions, inline; the rest go through executePure.
                case .movR(let d, let a): s.reals[rb + Int(d)] = s.reals[rb + Int(a)]
                case .movI(let d, let a): s.ints[ib + Int(d)] = s.ints[ib + Int(a)]
                case .itor(let d, let a): s.reals[rb + Int(d)] = Double(s.ints[ib + Int(a)])
                case .addR(let d, let a, let b): s.reals[rb + Int(d)] = s.reals[rb + Int(a)] + s.reals[rb + Int(b)]
                case .subR(let d, let a, let b): s.reals[rb + Int(d)] = s.reals[rb + Int(a)] - s.reals[rb + Int(b)]
                case .mulR(let d, let a, let b): s.reals[rb + Int(d)] = s.reals[rb + Int(a)] * s.reals[rb + Int(b)]
                case .addI(let d, let a, let b): s.ints[ib + Int(d)] = s.ints[ib + Int(a)] &+ s.ints[ib + Int(b)]
                case .subI(let d, let a, let b): s.ints[ib + Int(d)] = s.ints[ib + Int(a)] &- s.ints[ib + Int(b)]
                case .cmpI(let op, let d, let a, let b):
                    s.ints[ib + Int(d)] = compare(op, s.ints[ib + Int(a)], s.ints[ib + Int(b)]) ? 1 : 0
                case .indexR(let d, let a, let i, let loc):
                    let k = s.ints[ib + Int(i)]
                    if case .reals(let xs) = s.objects[ob + Int(a)], k >= 0, k < xs.count {
                        s.reals[rb + Int(d)] = xs[k]
                    } else {
                        do { try executePure(instruction, &s, rb, ib, ob, Int(s.frames[fi].function), fi) } catch {
                            throw withStatementAddress(error, functions[fn], pc, &s, fi, ib)
                        }
                    }
                    _ = loc
                case .jump(let target): pc = Int(target)
                case .jumpIfFalse(let c, let target): if s.ints[ib + Int(c)] == 0 { pc = Int(target) }
                case .forCheck(let a, let b, let target): if s.ints[ib + Int(a)] >= s.ints[ib + Int(b)] { pc = Int(target) }
                case .forNext(let a, let target):
                    s.ints[ib + Int(a)] += 1
                    pc = Int(target)
                case .whileCount(let a, let bound, let loc):
                    s.ints[ib + Int(a)] += 1
                    if s.ints[ib + Int(a)] > bound {
                        throw error(.other, "'while' loop ran more than its bound of \(bound) iterations", location: functions[fn].locations[Int(loc)], prefix: s.frames[fi].prefix)
                    }
                case .site(let k):
                    let hot = f.hotSites[Int(k)]
                    let stop: Bool
                    if hot.family != nil, hot.indexCount <= 1, ctx.constraints == nil, !ctx.exploring,
                       !ctx.requireConstraints, ctx.recorder == nil,
                       !(ctx.collectStepChoices && hot.kind == .sample && (fi != 0 || !hot.hasFixedSupport)) {
                        stop = try hotSite(hot, &s, fi, rb, ib, &ctx, &rng)
                    } else {
                        stop = try site(functions[fn].sites[Int(k)], &s, fi, rb, ib, ob, &ctx, &rng)
                    }
                    if stop {
                        s.frames[fi].pc = Int32(pc)
                        return
                    }
                case .load(let k):
                    let hot = f.hotLoads[Int(k)]
                    if hot.index0 >= 0 {
                        let key = s.ints[ib + Int(hot.index0)]
                        if key >= 0, let cell = s.frames[fi].memory[Int(hot.memorySlot)].get(key) {
                            switch hot.destination.file {
                            case .real: s.reals[rb + Int(hot.destination.index)] = cell.value
                            default: s.ints[ib + Int(hot.destination.index)] = Int(cell.value)
                            }
                            s.ints[ib + Int(hot.instanceRegister)] = cell.instance
                            continue frame
                        }
                    }
                    let spec = functions[fn].loads[Int(k)]
                    let key = try memoryKey(spec.indexRegisters, &s, ib, location: spec.location, prefix: s.frames[fi].prefix, nameID: spec.nameID)
                    guard let cell = s.frames[fi].memory[spec.memorySlot].get(key) else {
                        let address = Address(prefixComponents(s.frames[fi].prefix) + [.name(names[spec.nameID])]
                                              + spec.indexRegisters.map { .index(s.ints[ib + Int($0)]) })
                        throw error(.indexOutOfRange, "'\(address)' is read before it is drawn", location: spec.location, prefix: nil, address: address)
                    }
                    switch spec.destination.file {
                    case .real: s.reals[rb + Int(spec.destination.index)] = cell.value
                    default: s.ints[ib + Int(spec.destination.index)] = Int(cell.value)
                    }
                    s.ints[ib + Int(spec.instanceRegister)] = cell.instance
                case .gather(let k):
                    let spec = functions[fn].gathers[Int(k)]
                    let memory = s.frames[fi].memory[spec.memorySlot]
                    switch spec.elementType {
                    case .real: s.objects[ob + Int(spec.destination.index)] = .reals(memory.prefixValues { $0.value })
                    default: s.objects[ob + Int(spec.destination.index)] = .ints(memory.prefixValues { Int($0.value) })
                    }
                case .report(let k):
                    let spec = functions[fn].reports[Int(k)]
                    let value = self.value(of: spec.value, s, rb, ib, ob)
                    var components = prefixComponents(s.frames[fi].prefix)
                    for part in spec.address {
                        switch part {
                        case .name(let id): components.append(.name(names[id]))
                        case .index(let r): components.append(.index(s.ints[ib + Int(r)]))
                        }
                    }
                    if ctx.recording {
                        ctx.trace.reports.append((Address(components), value))
                    } else {
                        s.reports = ReportNode(parent: s.reports, address: Address(components), value: value)
                    }
                case .call(let k):
                    let spec = functions[fn].calls[Int(k)]
                    s.frames[fi].pc = Int32(pc)
                    if s.frames.count >= 10_000 {
                        throw error(.other, "calls nested more than 10000 deep (unbounded recursion?)", location: spec.location, prefix: s.frames[fi].prefix)
                    }
                    let callee = functions[spec.callee]
                    let n = s.ints[ib + Int(spec.counter)]
                    s.ints[ib + Int(spec.counter)] = n + 1
                    let frame = Frame(function: Int32(spec.callee), pc: 0, realBase: Int32(s.reals.count),
                                      intBase: Int32(s.ints.count), objectBase: Int32(s.objects.count),
                                      returnTo: spec.destination,
                                      prefix: AddressPrefix(parent: s.frames[fi].prefix, nameID: spec.calleeNameID, index: n),
                                      memory: FrameMemory(count: callee.memorySlots))
                    let nrb = s.reals.count, nib = s.ints.count, nob = s.objects.count
                    s.reals.append(contentsOf: repeatElement(0, count: callee.realCount))
                    s.ints.append(contentsOf: repeatElement(0, count: callee.intCount))
                    s.objects.append(contentsOf: repeatElement(.none, count: callee.objectCount))
                    for (p, a) in zip(callee.parameters, spec.arguments) {
                        switch (p.file, a.file) {
                        case (.real, .real): s.reals[nrb + Int(p.index)] = s.reals[rb + Int(a.index)]
                        case (.real, .int): s.reals[nrb + Int(p.index)] = Double(s.ints[ib + Int(a.index)])
                        case (.int, _): s.ints[nib + Int(p.index)] = s.ints[ib + Int(a.index)]
                        default: s.objects[nob + Int(p.index)] = s.objects[ob + Int(a.index)]
                        }
                    }
                    s.frames.append(frame)
                    break frame
                case .ret(let r):
                    let frame = s.frames.removeLast()
                    if s.frames.isEmpty {
                        s.returnValue = r.map { value(of: $0, s, rb, ib, ob) }
                        s.finished = true
                        break frame
                    }
                    let caller = s.frames[s.frames.count - 1]
                    if let r, let d = frame.returnTo {
                        let crb = Int(caller.realBase), cib = Int(caller.intBase), cob = Int(caller.objectBase)
                        switch (d.file, r.file) {
                        case (.real, .real): s.reals[crb + Int(d.index)] = s.reals[rb + Int(r.index)]
                        case (.real, .int): s.reals[crb + Int(d.index)] = Double(s.ints[ib + Int(r.index)])
                        case (.int, _): s.ints[cib + Int(d.index)] = s.ints[ib + Int(r.index)]
                        default: s.objects[cob + Int(d.index)] = s.objects[ob + Int(r.index)]
                        }
                    }
                    s.reals.removeLast(s.reals.count - rb)
                    s.ints.removeLast(s.ints.count - ib)
                    s.objects.removeLast(s.objects.count - ob)
                    if s.frames.count == ctx.returnDepth { return }
                    break frame
                default:
                    do { try executePure(instruction, &s, rb, ib, ob, Int(s.frames[fi].function), fi) } catch {
                        throw withStatementAddress(error, functions[fn], pc, &s, fi, ib)
                    }
                }
            }
        }
    }

    /// Names the choice whose statement failed: the next `sample` or `observe` in the same
    /// straight-line code, whose address indices lowering computes before its arguments.
    func withStatementAddress(_ error: ModelError, _ f: CompiledFunction, _ pc: Int, _ s: inout VMState,
                              _ fi: Int, _ ib: Int) -> ModelError {
        var k = pc
        while k < f.code.count {
            switch f.code[k] {
            case .site(let index):
                let spec = f.sites[Int(index)]
                guard spec.kind != .factor else { return error }
                var named = error
                named.address = currentAddress(spec, &s, fi, ib)
                return named
            case .jump, .jumpIfFalse, .forCheck, .forNext, .whileCount, .call, .ret, .report:
                return error
            default:
                k += 1
            }
        }
        return error
    }

    func prefixOf(_ s: VMState, _ fi: Int) -> AddressPrefix? { fi < s.frames.count ? s.frames[fi].prefix : nil }

    /// Runs one instruction without control flow or choices (also used to re-evaluate slices).
    @inline(__always)
    func executePure(_ instruction: Code, _ s: inout VMState, _ rb: Int, _ ib: Int, _ ob: Int,
                     _ fn: Int, _ fi: Int) throws(ModelError) {
        switch instruction {
        case .constR(let d, let x): s.reals[rb + Int(d)] = x
        case .constI(let d, let n): s.ints[ib + Int(d)] = n
        case .movR(let d, let a): s.reals[rb + Int(d)] = s.reals[rb + Int(a)]
        case .movI(let d, let a): s.ints[ib + Int(d)] = s.ints[ib + Int(a)]
        case .movO(let d, let a): s.objects[ob + Int(d)] = s.objects[ob + Int(a)]
        case .itor(let d, let a): s.reals[rb + Int(d)] = Double(s.ints[ib + Int(a)])
        case .negR(let d, let a): s.reals[rb + Int(d)] = -s.reals[rb + Int(a)]
        case .negI(let d, let a): s.ints[ib + Int(d)] = 0 &- s.ints[ib + Int(a)]
        case .notI(let d, let a): s.ints[ib + Int(d)] = s.ints[ib + Int(a)] == 0 ? 1 : 0
        case .addR(let d, let a, let b): s.reals[rb + Int(d)] = s.reals[rb + Int(a)] + s.reals[rb + Int(b)]
        case .subR(let d, let a, let b): s.reals[rb + Int(d)] = s.reals[rb + Int(a)] - s.reals[rb + Int(b)]
        case .mulR(let d, let a, let b): s.reals[rb + Int(d)] = s.reals[rb + Int(a)] * s.reals[rb + Int(b)]
        case .divR(let d, let a, let b, let loc):
            let y = s.reals[rb + Int(b)]
            if y == 0 { throw error(.divisionByZero, "division by zero", location: functions[fn].locations[Int(loc)], prefix: prefixOf(s, fi)) }
            s.reals[rb + Int(d)] = s.reals[rb + Int(a)] / y
        case .powR(let d, let a, let b): s.reals[rb + Int(d)] = Foundation.pow(s.reals[rb + Int(a)], s.reals[rb + Int(b)])
        case .modR(let d, let a, let b, let loc):
            let y = s.reals[rb + Int(b)]
            if y == 0 { throw error(.divisionByZero, "remainder of division by zero", location: functions[fn].locations[Int(loc)], prefix: prefixOf(s, fi)) }
            s.reals[rb + Int(d)] = fmod(s.reals[rb + Int(a)], y)
        case .addI(let d, let a, let b): s.ints[ib + Int(d)] = s.ints[ib + Int(a)] &+ s.ints[ib + Int(b)]
        case .subI(let d, let a, let b): s.ints[ib + Int(d)] = s.ints[ib + Int(a)] &- s.ints[ib + Int(b)]
        case .mulI(let d, let a, let b): s.ints[ib + Int(d)] = s.ints[ib + Int(a)] &* s.ints[ib + Int(b)]
        case .divI(let d, let a, let b, let loc):
            let y = s.ints[ib + Int(b)]
            if y == 0 { throw error(.divisionByZero, "integer division by zero", location: functions[fn].locations[Int(loc)], prefix: prefixOf(s, fi)) }
            s.ints[ib + Int(d)] = s.ints[ib + Int(a)] / y
        case .modI(let d, let a, let b, let loc):
            let y = s.ints[ib + Int(b)]
            if y == 0 { throw error(.divisionByZero, "remainder of division by zero", location: functions[fn].locations[Int(loc)], prefix: prefixOf(s, fi)) }
            s.ints[ib + Int(d)] = s.ints[ib + Int(a)] % y
        case .cmpR(let op, let d, let a, let b):
            s.ints[ib + Int(d)] = compare(op, s.reals[rb + Int(a)], s.reals[rb + Int(b)]) ? 1 : 0
        case .cmpI(let op, let d, let a, let b):
            s.ints[ib + Int(d)] = compare(op, s.ints[ib + Int(a)], s.ints[ib + Int(b)]) ? 1 : 0
        case .andI(let d, let a, let b): s.ints[ib + Int(d)] = (s.ints[ib + Int(a)] != 0 && s.ints[ib + Int(b)] != 0) ? 1 : 0
        case .orI(let d, let a, let b): s.ints[ib + Int(d)] = (s.ints[ib + Int(a)] != 0 || s.ints[ib + Int(b)] != 0) ? 1 : 0
        case .math1(let op, let d, let a, let loc):
            let y = math1(op, s.reals[rb + Int(a)])
            if y.isNaN { throw error(.notFinite, "'\(op.rawValue)' of \(formatReal(s.reals[rb + Int(a)])) is not a number", location: functions[fn].locations[Int(loc)], prefix: prefixOf(s, fi)) }
            s.reals[rb + Int(d)] = y
        case .math2(let op, let d, let a, let b, let loc):
            let y = math2(op, s.reals[rb + Int(a)], s.reals[rb + Int(b)])
            if y.isNaN { throw error(.notFinite, "'\(op.rawValue)' gives a value that is not a number", location: functions[fn].locations[Int(loc)], prefix: prefixOf(s, fi)) }
            s.reals[rb + Int(d)] = y
        case .minI(let d, let a, let b): s.ints[ib + Int(d)] = Swift.min(s.ints[ib + Int(a)], s.ints[ib + Int(b)])
        case .maxI(let d, let a, let b): s.ints[ib + Int(d)] = Swift.max(s.ints[ib + Int(a)], s.ints[ib + Int(b)])
        case .absI(let d, let a): s.ints[ib + Int(d)] = Swift.abs(s.ints[ib + Int(a)])
        case .reduceR(let op, let d, let a, let loc):
            let xs = reals(of: s.objects[ob + Int(a)])
            if op == .mean && xs.isEmpty { throw error(.other, "mean of an empty array", location: functions[fn].locations[Int(loc)], prefix: prefixOf(s, fi)) }
            s.reals[rb + Int(d)] = reduce(op, xs)
        case .sumI(let d, let a):
            if case .ints(let xs) = s.objects[ob + Int(a)] { s.ints[ib + Int(d)] = xs.reduce(0, &+) } else { s.ints[ib + Int(d)] = 0 }
        case .len(let d, let a): s.ints[ib + Int(d)] = s.objects[ob + Int(a)].count
        case .makeArray(let d, let k):
            let spec = functions[fn].arrays[Int(k)]
            let slot = ob + Int(d)
            // Re-scoring re-runs the same `makeArray` into the same register many times: refill its
            // array in place when nothing else holds it (copy-on-write copies it otherwise).
            if case .real = spec.elementType, case .reals(var xs) = s.objects[slot], xs.count == spec.elements.count {
                s.objects[slot] = .none
                for (n, r) in spec.elements.enumerated() {
                    xs[n] = r.file == .real ? s.reals[rb + Int(r.index)] : Double(s.ints[ib + Int(r.index)])
                }
                s.objects[slot] = .reals(xs)
            } else {
                s.objects[slot] = makeArray(spec.elements, spec.elementType, &s, rb, ib, ob)
            }
        case .indexR(let d, let a, let i, let loc):
            let k = s.ints[ib + Int(i)]
            switch s.objects[ob + Int(a)] {
            case .reals(let xs) where k >= 0 && k < xs.count: s.reals[rb + Int(d)] = xs[k]
            case .ints(let xs) where k >= 0 && k < xs.count: s.reals[rb + Int(d)] = Double(xs[k])
            case let o: throw error(.indexOutOfRange, "index \(k) is out of range for an array of \(o.count) elements", location: functions[fn].locations[Int(loc)], prefix: prefixOf(s, fi))
            }
        case .indexI(let d, let a, let i, let loc):
            let k = s.ints[ib + Int(i)]
            switch s.objects[ob + Int(a)] {
            case .ints(let xs) where k >= 0 && k < xs.count: s.ints[ib + Int(d)] = xs[k]
            case let o: throw error(.indexOutOfRange, "index \(k) is out of range for an array of \(o.count) elements", location: functions[fn].locations[Int(loc)], prefix: prefixOf(s, fi))
            }
        case .indexO(let d, let a, let i, let loc):
            let k = s.ints[ib + Int(i)]
            switch s.objects[ob + Int(a)] {
            case .nested(let xs) where k >= 0 && k < xs.count: s.objects[ob + Int(d)] = xs[k]
            case .matrix(let m) where k >= 0 && k < m.rows:
                s.objects[ob + Int(d)] = .reals(Array(m.elements[(k * m.columns)..<((k + 1) * m.columns)]))
            case let o: throw error(.indexOutOfRange, "index \(k) is out of range for an array of \(o.count) elements", location: functions[fn].locations[Int(loc)], prefix: prefixOf(s, fi))
            }
        case .generic(let k):
            let spec = functions[fn].generics[Int(k)]
            let op = spec.op, d = spec.destination, args = spec.arguments, loc = spec.location
            let inputs = args.map { r -> RuntimeValue in
                switch r.file {
                case .real: .real(s.reals[rb + Int(r.index)])
                case .int: .int(s.ints[ib + Int(r.index)])
                case .object: .object(s.objects[ob + Int(r.index)])
                }
            }
            let output: RuntimeValue
            do { output = try evaluateGeneric(op, inputs, resultType: type(of: d)) } catch {
                throw self.error(error.kind, error.message, location: functions[fn].locations[Int(loc)], prefix: prefixOf(s, fi))
            }
            switch (d.file, output) {
            case (.real, .real(let x)): s.reals[rb + Int(d.index)] = x
            case (.real, .int(let n)): s.reals[rb + Int(d.index)] = Double(n)
            case (.int, .int(let n)): s.ints[ib + Int(d.index)] = n
            case (.object, .object(let o)): s.objects[ob + Int(d.index)] = o
            default:
                throw self.error(.other, "internal error: '\(op)' gave a value of the wrong kind", location: functions[fn].locations[Int(loc)], prefix: prefixOf(s, fi))
            }
        default:
            break
        }
    }

    /// Non-negative key of an index tuple for frame memory (Szudzik pairing for several indices).
    @inline(__always)
    func memoryKey(_ registers: [Int32], _ s: inout VMState, _ ib: Int, location: String, prefix: AddressPrefix?, nameID: Int) throws(ModelError) -> Int {
        if registers.count == 1 {
            let i = s.ints[ib + Int(registers[0])]
            if i >= 0 { return i }
        }
        return try memoryKeySlow(registers, &s, ib, location: location, prefix: prefix, nameID: nameID)
    }

    func memoryKeySlow(_ registers: [Int32], _ s: inout VMState, _ ib: Int, location: String, prefix: AddressPrefix?, nameID: Int) throws(ModelError) -> Int {
        var key = 0
        for (k, r) in registers.enumerated() {
            let i = s.ints[ib + Int(r)]
            if i < 0 {
                let address = Address(prefixComponents(prefix) + [.name(names[nameID])] + registers.map { .index(s.ints[ib + Int($0)]) })
                throw error(.indexOutOfRange, "negative index \(i) in address '\(address)'", location: location, prefix: nil, address: address)
            }
            if k == 0 { key = i; continue }
            let (a, b) = (key, i)
            let (square, overflow) = (a >= b ? a : b).multipliedReportingOverflow(by: a >= b ? a : b)
            if overflow || square > Int.max / 2 {
                throw error(.indexOutOfRange, "address indices too large", location: location, prefix: prefix)
            }
            key = a >= b ? square + a + b : square + a
        }
        return key
    }

    func value(of r: Reg, _ s: VMState, _ rb: Int, _ ib: Int, _ ob: Int) -> Value {
        switch r.file {
        case .real: return .real(s.reals[rb + Int(r.index)])
        case .int: return type(of: r) == .bool ? .bool(s.ints[ib + Int(r.index)] != 0) : .int(s.ints[ib + Int(r.index)])
        case .object: return toValue(s.objects[ob + Int(r.index)], type: type(of: r))
        }
    }

    func makeArray(_ regs: [Reg], _ element: ValueType, _ s: inout VMState, _ rb: Int, _ ib: Int, _ ob: Int) -> Obj {
        switch element {
        case .real: return .reals(regs.map { $0.file == .real ? s.reals[rb + Int($0.index)] : Double(s.ints[ib + Int($0.index)]) })
        case .int, .bool: return .ints(regs.map { s.ints[ib + Int($0.index)] })
        default: return .nested(regs.map { s.objects[ob + Int($0.index)] })
        }
    }
}

func compare<T: Comparable>(_ op: BinaryOp, _ a: T, _ b: T) -> Bool {
    switch op {
    case .lt: a < b
    case .le: a <= b
    case .gt: a > b
    case .ge: a >= b
    case .eq: a == b
    default: a != b
    }
}

func math1(_ op: Builtin, _ x: Double) -> Double {
    switch op {
    case .exp: Foundation.exp(x)
    case .log: x < 0 ? .nan : Foundation.log(x)
    case .log1p: Foundation.log1p(x)
    case .expm1: Foundation.expm1(x)
    case .logistic: x >= 0 ? 1 / (1 + Foundation.exp(-x)) : Foundation.exp(x) / (1 + Foundation.exp(x))
    case .logit: Foundation.log(x / (1 - x))
    case .sqrt: x < 0 ? .nan : x.squareRoot()
    case .abs: Swift.abs(x)
    case .lgamma: Foundation.lgamma(x)
    case .floor: x.rounded(.down)
    case .ceil: x.rounded(.up)
    default: .nan
    }
}

func math2(_ op: Builtin, _ x: Double, _ y: Double) -> Double {
    switch op {
    case .pow: Foundation.pow(x, y)
    case .min: Swift.min(x, y)
    case .max: Swift.max(x, y)
    case .logSumExp:
        if x == -.infinity && y == -.infinity { -.infinity } else { Swift.max(x, y) + Foundation.log1p(Foundation.exp(-Swift.abs(x - y))) }
    default: .nan
    }
}

func reals(of o: Obj) -> [Double] {
    switch o {
    case .reals(let xs): xs
    case .ints(let xs): xs.map(Double.init)
    case .matrix(let m): m.elements
    default: []
    }
}

func reduce(_ op: Builtin, _ xs: [Double]) -> Double {
    switch op {
    case .sum: return xs.reduce(0, +)
    case .mean: return xs.reduce(0, +) / Double(xs.count)
    default:
        guard let m = xs.max(), m > -.infinity else { return -.infinity }
        if m == .infinity { return .infinity }
        return m + Foundation.log(xs.reduce(0) { $0 + Foundation.exp($1 - m) })
    }
}

func toValue(_ o: Obj, type: ValueType) -> Value {
    switch o {
    case .none: return .array([])
    case .reals(let xs): return .reals(xs)
    case .ints(let xs):
        if case .array(.bool) = type { return .array(xs.map { .bool($0 != 0) }) }
        return .ints(xs)
    case .nested(let xs):
        let inner: ValueType
        if case .array(let e) = type { inner = e } else { inner = .real }
        return .array(xs.map { toValue($0, type: inner) })
    case .matrix(let m): return .matrix(m)
    }
}

/// A language value as a VM object, by its static type; nil when the shapes disagree.
func toObj(_ v: Value, type: ValueType) -> Obj? {
    switch (v, type) {
    case (.matrix(let m), _): return .matrix(m)
    case (.array(let xs), .array(.real)):
        var out: [Double] = []
        out.reserveCapacity(xs.count)
        for x in xs { guard let r = x.asReal else { return nil }; out.append(r) }
        return .reals(out)
    case (.array(let xs), .array(.int)), (.array(let xs), .array(.bool)):
        var out: [Int] = []
        out.reserveCapacity(xs.count)
        for x in xs { guard let n = x.asInt else { return nil }; out.append(n) }
        return .ints(out)
    case (.array(let xs), .array(let inner)):
        var out: [Obj] = []
        for x in xs { guard let o = toObj(x, type: inner) else { return nil }; out.append(o) }
        return .nested(out)
    default: return nil
    }
}
