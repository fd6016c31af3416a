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
        // Projected, not `withUnsafePointer(to: source.pointee.first)`: that copies the trie
        // into a temporary first (a retain and a release of each of its references).
        if let sourceFirst = source.pointer(to: \.first) { first.assign(from: sourceFirst) }
        if count > 1, let r = source.pointer(to: \.rest) { rest.assignElements(from: r) { $0.assign(from: $1) } }
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
        // Projected rather than copied into a temporary (which retains and releases its tries).
        if let sourceMemory = source.pointer(to: \.memory) { memory.assign(from: sourceMemory) }
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

    /// `assignElements(from:_:)` from the array at `source`, read in place rather than retained.
    mutating func assignElements(from source: UnsafePointer<[Element]>, _ assign: (inout Element, UnsafePointer<Element>) -> Void) {
        let (from, n) = source.pointee.withUnsafeBufferPointer { ($0.baseAddress, $0.count) }
        guard count == n else { self = source.pointee; return }
        guard let f = from else { return }
        withUnsafeMutableBufferPointer { target in
            for k in 0..<n { assign(&target[k], f + k) }
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
        withUnsafePointer(to: source) { overwrite(from: $0) }
    }

    /// `overwrite(with:)` from the array at `source`, read in place: an array argument read
    /// from a pointer is retained and released around the call (the call could write there).
    mutating func overwrite(from source: UnsafePointer<[Element]>) {
        let (from, n) = source.pointee.withUnsafeBufferPointer { ($0.baseAddress, $0.count) }
        let own = withUnsafeBufferPointer { $0.baseAddress }
        guard count == n, let f = from else {
            if own != from || count != n { self = source.pointee }
            return
        }
        guard own != f else { return }
        withUnsafeMutableBufferPointer { target in
            target.baseAddress?.update(from: f, count: n)
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
        if let f = source.pointer(to: \.frames) { frames.assignElements(from: f) { $0.assign(from: $1) } }
        if let r = source.pointer(to: \.reals) { reals.overwrite(from: r) }
        if let i = source.pointer(to: \.ints) { ints.overwrite(from: i) }
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
