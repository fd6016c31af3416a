import PPLDistributions
import PPLInference

/// The call path a frame's choices nest under (`f[2].g[0]`), shared by reference: a persistent list.
final class AddressPrefix: Sendable {
    let parent: AddressPrefix?
    let nameID: Int
    let index: Int
    init(parent: AddressPrefix?, nameID: Int, index: Int) {
        self.parent = parent
        self.nameID = nameID
        self.index = index
    }
}

/// A latent choice as a frame remembers it, for `load` and `gather`.
struct MemoryCell: Sendable {
    var value: Double
    var instance: Int
}

/// A deterministic quantity a particle reported, in a persistent list so copies share history.
final class ReportNode: Sendable {
    let parent: ReportNode?
    let address: Address
    let value: Value
    init(parent: ReportNode?, address: Address, value: Value) {
        self.parent = parent
        self.address = address
        self.value = value
    }
}

/// A frame's memory slots, the first held inline: most frames read back one name (`x[t - 1]`),
/// and a trie held in the frame saves a particle one heap object on every step and every copy.
struct FrameMemory: Sendable {
    private var first = PersistentTrie<MemoryCell>()
    private var rest: [PersistentTrie<MemoryCell>] = []
    let count: Int

    init(count: Int) {
        self.count = count
        if count > 1 { rest = Array(repeating: PersistentTrie(), count: count - 1) }
    }

    subscript(slot: Int) -> PersistentTrie<MemoryCell> {
        get { slot == 0 ? first : rest[slot - 1] }
        _modify {
            if slot == 0 { yield &first } else { yield &rest[slot - 1] }
        }
    }

    mutating func assign(from source: UnsafePointer<FrameMemory>) {
        guard count == source.pointee.count else { self = source.pointee; return }
        guard count > 0 else { return }
        withUnsafePointer(to: source.pointee.first) { first.assign(from: $0) }
        if count > 1 { rest.assignElements(from: source.pointee.rest) { $0.assign(from: $1) } }
    }

    var nodesCopied: Int { (count > 0 ? first.nodesCopied : 0) + rest.reduce(0) { $0 + $1.nodesCopied } }
}

struct Frame: Sendable {
    var function: Int32
    var pc: Int32
    var realBase: Int32
    var intBase: Int32
    var objectBase: Int32
    /// Where the caller wants the result, relative to the caller's bases.
    var returnTo: Reg?
    var prefix: AddressPrefix?
    var memory: FrameMemory

    mutating func assign(from source: UnsafePointer<Frame>) {
        function = source.pointee.function
        pc = source.pointee.pc
        realBase = source.pointee.realBase
        intBase = source.pointee.intBase
        objectBase = source.pointee.objectBase
        returnTo = source.pointee.returnTo
        if prefix !== source.pointee.prefix { prefix = source.pointee.prefix }
        withUnsafePointer(to: source.pointee.memory) { memory.assign(from: $0) }
    }
}

extension Array {
    /// Makes this array equal to `source` by assigning element by element in its own buffer when
    /// the lengths agree (so elements keep their storage), and by replacing it otherwise.
    mutating func assignElements(from source: [Element], _ assign: (inout Element, UnsafePointer<Element>) -> Void) {
        guard count == source.count else { self = source; return }
        source.withUnsafeBufferPointer { from in
            withUnsafeMutableBufferPointer { target in
                guard let f = from.baseAddress else { return }
                for k in 0..<from.count { assign(&target[k], f + k) }
            }
        }
    }

    /// Whether both arrays use the same buffer (then assigning one to the other changes nothing).
    func sharesStorage(with other: [Element]) -> Bool {
        withUnsafeBufferPointer { a in other.withUnsafeBufferPointer { b in a.baseAddress == b.baseAddress && a.count == b.count } }
    }
}

extension Array where Element: BitwiseCopyable {
    /// Copies `source`'s elements into this array's own buffer when the lengths agree (no allocation once unique).
    mutating func overwrite(with source: [Element]) {
        guard count == source.count, !sharesStorage(with: source) else {
            if !sharesStorage(with: source) { self = source }
            return
        }
        withUnsafeMutableBufferPointer { target in
            source.withUnsafeBufferPointer { from in
                guard let t = target.baseAddress, let f = from.baseAddress else { return }
                t.update(from: f, count: from.count)
            }
        }
    }
}

/// The whole state of a running program, a Swift value: SMC particles are these.
///
/// Copying is O(registers + frames): the history of choices lives in persistent
/// tries (only names the program reads back) and the genealogy the engine keeps.
public struct VMState: Sendable {
    var frames: [Frame] = []
    var reals: [Double] = []
    var ints: [Int] = []
    var objects: [Obj] = []
    public internal(set) var finished = false
    var returnValue: Value?
    var reports: ReportNode?
    /// Choices (latent, observed, factors) made so far; instance numbers count them.
    var instanceCount = 0
    /// Observations and factors passed so far.
    public internal(set) var observationsPassed = 0

    /// Makes this state a copy of `source`, overwriting its own registers and memory tails in
    /// place rather than sharing `source`'s, so that the next write does not copy them again.
    /// `source` is a pointer, read field by field: a value argument would be copied whole first.
    mutating func assign(from source: UnsafePointer<VMState>) {
        frames.assignElements(from: source.pointee.frames) { $0.assign(from: $1) }
        reals.overwrite(with: source.pointee.reals)
        ints.overwrite(with: source.pointee.ints)
        if !objects.sharesStorage(with: source.pointee.objects) { objects = source.pointee.objects }
        finished = source.pointee.finished
        if returnValue != nil || source.pointee.returnValue != nil { returnValue = source.pointee.returnValue }
        if reports !== source.pointee.reports { reports = source.pointee.reports }
        instanceCount = source.pointee.instanceCount
        observationsPassed = source.pointee.observationsPassed
    }

    /// Registers of all frames: what copying a particle copies besides shared references.
    var registerCount: Int { reals.count + ints.count + objects.count }

    /// Storage nodes copied because a copy of this state shared them (tests of the O(N) step).
    var storageNodesCopied: Int {
        frames.reduce(0) { $0 + $1.memory.nodesCopied }
    }
}
