import PPLDistributions
import PPLInference
import PPLIR

/// A register: its file (reals, ints for Int and Bool, objects for arrays) and index in the frame.
///
/// Trivially copyable so instructions copy without reference counting; the value type is
/// interned in `CompiledProgram.types`.
struct Reg: Sendable, Hashable {
    enum File: UInt8, Sendable { case real, int, object }
    var file: File
    var index: Int32
    var typeID: Int32
}

/// Run-time arrays and matrices, unboxed where the element type allows.
enum Obj: Sendable {
    case none
    case reals([Double])
    case ints([Int])
    case nested([Obj])
    case matrix(Matrix)

    var count: Int {
        switch self {
        case .none: 0
        case .reals(let xs): xs.count
        case .ints(let xs): xs.count
        case .nested(let xs): xs.count
        case .matrix(let m): m.rows
        }
    }
}

/// How a site builds its distribution: scalar families unboxed through `ScalarDistribution`,
/// array-parameter families through the catalogue's `AnyDistribution`.
enum FamilyKind: Sendable {
    case scalar(FamilyID)
    case generic(Family)

    init(_ name: String) throws(CompileError) {
        guard let family = Catalogue.family(named: name) else { throw CompileError("unknown distribution '\(name)'") }
        self = family.id.isScalar ? .scalar(family.id) : .generic(family)
    }

    var name: String {
        switch self {
        case .scalar(let id): id.family.name
        case .generic(let f): f.name
        }
    }
}

/// One instruction of a compiled function; register operands are frame-relative.
enum Code: Sendable {
    case constR(Int32, Double)
    case constI(Int32, Int)
    case movR(Int32, Int32)
    case movI(Int32, Int32)
    case movO(Int32, Int32)
    case itor(Int32, Int32)
    case negR(Int32, Int32)
    case negI(Int32, Int32)
    case notI(Int32, Int32)
    case addR(Int32, Int32, Int32)
    case subR(Int32, Int32, Int32)
    case mulR(Int32, Int32, Int32)
    case divR(Int32, Int32, Int32, Int32)      // last: index into the location table
    case powR(Int32, Int32, Int32)
    case modR(Int32, Int32, Int32, Int32)
    case addI(Int32, Int32, Int32)
    case subI(Int32, Int32, Int32)
    case mulI(Int32, Int32, Int32)
    case divI(Int32, Int32, Int32, Int32)
    case modI(Int32, Int32, Int32, Int32)
    case cmpR(BinaryOp, Int32, Int32, Int32)
    case cmpI(BinaryOp, Int32, Int32, Int32)
    case andI(Int32, Int32, Int32)
    case orI(Int32, Int32, Int32)
    case math1(Builtin, Int32, Int32, Int32)
    case math2(Builtin, Int32, Int32, Int32, Int32)
    case minI(Int32, Int32, Int32)
    case maxI(Int32, Int32, Int32)
    case absI(Int32, Int32)
    case reduceR(Builtin, Int32, Int32, Int32)   // sum/mean/log_sum_exp of a real array into a real
    case sumI(Int32, Int32)
    case len(Int32, Int32)
    case makeArray(Int32, Int32)
    case indexR(Int32, Int32, Int32, Int32)
    case indexI(Int32, Int32, Int32, Int32)
    case indexO(Int32, Int32, Int32, Int32)
    case jump(Int32)
    case jumpIfFalse(Int32, Int32)
    /// Leaves the loop (jumps to the target) when ints[a] >= ints[b].
    case forCheck(Int32, Int32, Int32)
    /// ints[a] += 1 and jump.
    case forNext(Int32, Int32)
    /// Counts a `while` iteration in ints[a], failing past the bound.
    case whileCount(Int32, Int, Int32)
    case site(Int32)
    case load(Int32)
    case gather(Int32)
    case report(Int32)
    /// Array, matrix and other rarely hot operations, evaluated on boxed run-time values.
    case generic(Int32)
    case call(Int32)
    case ret(Reg?)
}

/// A `sample`, `observe` or `factor` of one function, with what the VM needs to run it.
///
/// A class so that running a site costs one reference count, not one per field.
final class SiteSpec: Sendable {
    enum Kind: Sendable { case sample, observe, factor }
    let kind: Kind
    /// Index into `CompiledProgram.sites`.
    let global: Int
    let family: FamilyKind
    let arguments: [Reg]
    /// The sampled value's register, or the observed value's (or the factor's log weight).
    let value: Reg
    let nameID: Int
    /// Interned address template: names as -(id+1), index positions as the int register.
    let address: [AddressPart]
    let indexRegisters: [Int32]
    /// The frame memory slot this name's choices are stored in, for `load` and `gather`; -1 if never read.
    let memorySlot: Int
    /// Hidden int register holding the instance number of this site's latest choice in the frame.
    let lastInstance: Int32
    let location: String
    /// The support when it does not depend on the parameters (nil: ask the instance).
    let fixedSupport: Support?
    /// Whether the value register holds a Bool.
    let valueIsBool: Bool

    init(kind: Kind, global: Int, family: FamilyKind, arguments: [Reg], value: Reg, nameID: Int, address: [AddressPart],
         indexRegisters: [Int32], memorySlot: Int, lastInstance: Int32, location: String, fixedSupport: Support?,
         valueIsBool: Bool) {
        self.kind = kind
        self.global = global
        self.family = family
        self.arguments = arguments
        self.value = value
        self.nameID = nameID
        self.address = address
        self.indexRegisters = indexRegisters
        self.memorySlot = memorySlot
        self.lastInstance = lastInstance
        self.location = location
        self.fixedSupport = fixedSupport
        self.valueIsBool = valueIsBool
    }
}

enum AddressPart: Sendable, Hashable {
    case name(Int)
    case index(Int32)
}

final class LoadSpec: Sendable {
    let memorySlot: Int
    let nameID: Int
    let indexRegisters: [Int32]
    let destination: Reg
    /// Hidden int register receiving the instance number of the choice read.
    let instanceRegister: Int32
    let location: String

    init(memorySlot: Int, nameID: Int, indexRegisters: [Int32], destination: Reg, instanceRegister: Int32, location: String) {
        self.memorySlot = memorySlot
        self.nameID = nameID
        self.indexRegisters = indexRegisters
        self.destination = destination
        self.instanceRegister = instanceRegister
        self.location = location
    }
}

/// The fields of a scalar site the common case needs, trivially copyable so that running it
/// touches no reference counts; anything unusual falls back to the full `SiteSpec`.
struct HotSite: Sendable {
    var kind: SiteSpec.Kind
    /// nil for array-parameter families and factors (always the full path).
    var family: FamilyID?
    var argumentCount: Int32
    var a0: Reg
    var a1: Reg
    var a2: Reg
    var value: Reg
    var memorySlot: Int32
    /// The single index register, when the address has exactly one index.
    var index0: Int32
    var indexCount: Int32
    var lastInstance: Int32
    var global: Int32
    var hasFixedSupport: Bool

    init(_ spec: SiteSpec) {
        kind = spec.kind
        if spec.kind != .factor, case .scalar(let id) = spec.family { family = id } else { family = nil }
        argumentCount = Int32(spec.arguments.count)
        let none = Reg(file: .real, index: 0, typeID: 0)
        a0 = spec.arguments.count > 0 ? spec.arguments[0] : none
        a1 = spec.arguments.count > 1 ? spec.arguments[1] : none
        a2 = spec.arguments.count > 2 ? spec.arguments[2] : none
        value = spec.value
        memorySlot = Int32(spec.memorySlot)
        index0 = spec.indexRegisters.first ?? 0
        indexCount = Int32(spec.indexRegisters.count)
        lastInstance = spec.lastInstance
        global = Int32(spec.global)
        hasFixedSupport = spec.fixedSupport != nil
    }
}

/// A one-index `load` in trivially copyable form (`x[t - 1]`), the common case.
struct HotLoad: Sendable {
    var memorySlot: Int32
    /// -1 when the load has other than one index (the full `LoadSpec` path).
    var index0: Int32
    var destination: Reg
    var instanceRegister: Int32

    init(_ spec: LoadSpec) {
        memorySlot = Int32(spec.memorySlot)
        index0 = spec.indexRegisters.count == 1 ? spec.indexRegisters[0] : -1
        destination = spec.destination
        instanceRegister = spec.instanceRegister
    }
}

struct ArraySpec: Sendable {
    var elements: [Reg]
    var elementType: ValueType
}

struct GenericSpec: Sendable {
    var op: GenericOp
    var destination: Reg
    var arguments: [Reg]
    var location: Int32
}

struct GatherSpec: Sendable {
    var memorySlot: Int
    var destination: Reg
    var elementType: ValueType
}

struct ReportSpec: Sendable {
    var address: [AddressPart]
    var value: Reg
}

enum GenericOp: Sendable {
    case unary(UnaryOp)
    case binary(BinaryOp)
    case builtin(Builtin)
    case setIndex
    case toReal
}

struct CallSpec: Sendable {
    var callee: Int
    var calleeNameID: Int
    var arguments: [Reg]
    var destination: Reg?
    /// Hidden int register counting calls of this callee in the caller's frame, for `f[k]`.
    var counter: Int32
    var location: String
}

/// A function compiled to flat code with typed register files.
struct CompiledFunction: Sendable {
    var name: String
    var nameID: Int
    var code: [Code]
    var realCount: Int
    var intCount: Int
    var objectCount: Int
    var parameters: [Reg]
    var returnType: ValueType?
    var sites: [SiteSpec]
    var loads: [LoadSpec]
    var gathers: [GatherSpec]
    var reports: [ReportSpec]
    var calls: [CallSpec]
    /// Source locations of instructions that can fail (division, indexing, loops), by index.
    var locations: [String]
    /// Hidden int registers zeroed on entry (call counters, instance registers).
    var memorySlots: Int
    /// IR-level per-register facts used by local re-scoring.
    var registerOfValue: [Int: Reg]
    var arrays: [ArraySpec]
    var generics: [GenericSpec]
    var hotSites: [HotSite] = []
    var hotLoads: [HotLoad] = []
    /// Per site, how to re-evaluate its parameters alone (filled in after compilation).
    var slices: [SliceSpec] = []
}

/// A function's code and hot tables behind one reference, so entering a function costs one
/// retain instead of a copy of every field of `CompiledFunction`.
final class FunctionCode: Sendable {
    let code: [Code]
    let hotSites: [HotSite]
    let hotLoads: [HotLoad]

    init(code: [Code], hotSites: [HotSite], hotLoads: [HotLoad]) {
        self.code = code
        self.hotSites = hotSites
        self.hotLoads = hotLoads
    }
}

/// A compile-time failure: an IR construct the VM does not support.
struct CompileError: Error, Sendable, CustomStringConvertible {
    var message: String
    init(_ message: String) { self.message = message }
    var description: String { message }
}

/// One site of the program, across functions, for addresses and records.
struct GlobalSite: Sendable {
    var function: Int
    var local: Int
    var kind: SiteSpec.Kind
    var familyName: String
    var fixedSupport: Support?
    var drawType: ValueType
    var location: String
}
