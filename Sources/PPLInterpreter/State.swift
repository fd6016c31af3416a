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

struct Frame: Sendable {
    var function: Int32
    var pc: Int32
    var realBase: Int32
    var intBase: Int32
    var objectBase: Int32
    /// Where the caller wants the result, relative to the caller's bases.
    var returnTo: Reg?
    var prefix: AddressPrefix?
    var memory: [PersistentTrie<MemoryCell>]
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

    /// Registers of all frames: what copying a particle copies besides shared references.
    var registerCount: Int { reals.count + ints.count + objects.count }

    /// Storage nodes copied because a copy of this state shared them (tests of the O(N) step).
    var storageNodesCopied: Int {
        frames.reduce(0) { sum, frame in sum + frame.memory.reduce(0) { $0 + $1.nodesCopied } }
    }
}
