import PPLDistributions
import PPLInference
@testable import PPLInterpreter
import Testing

@Suite struct PersistenceTests {
    @Test func trieBehavesLikeADictionaryAndCopiesAreIndependent() {
        var rng = RandomStream(seed: 21)
        var trie = PersistentTrie<Int>()
        var reference: [Int: Int] = [:]
        var snapshots: [(PersistentTrie<Int>, [Int: Int])] = []
        for step in 0..<5000 {
            // Mostly appends, as `x[t] ~` makes, with some random rewrites and far keys.
            let key = step % 7 == 0 ? rng.index(below: 70_000) : reference.count
            trie.set(key, step)
            reference[key] = step
            if step % 997 == 0 { snapshots.append((trie, reference)) }
        }
        for key in 0..<70_000 where reference[key] != nil || key % 101 == 0 {
            #expect(trie.get(key) == reference[key])
        }
        for (copy, expected) in snapshots {
            for (key, value) in expected { #expect(copy.get(key) == value) }
            #expect(copy.get(69_999) == expected[69_999])
        }
    }

    /// A full tail becomes a leaf even where the trie already holds a leaf with older values
    /// (a far key written first), and a copy sharing that leaf keeps its own values.
    @Test func tailBecomesALeafOverAnOlderOneAndCopiesStayApart() {
        var trie = PersistentTrie<Int>()
        var reference: [Int: Int] = [:]
        for key in [40, 70, 1_100] { trie.set(key, -key); reference[key] = -key }
        var copies: [(PersistentTrie<Int>, [Int: Int])] = []
        for key in 0..<1_200 {
            trie.set(key, key)
            reference[key] = key
            if key % 250 == 0 { copies.append((trie, reference)) }
        }
        #expect((0..<1_300).allSatisfy { trie.get($0) == reference[$0] })
        for (copy, expected) in copies { #expect((0..<1_300).allSatisfy { copy.get($0) == expected[$0] }) }
    }

    /// `assign` makes a trie equal to another (tail copied, trie shared) and independent of it
    /// afterwards; `prefixValues` reads what `get` reads, leaf by leaf.
    @Test func assignedTrieEqualsItsSourceAndStaysIndependent() {
        var rng = RandomStream(seed: 23)
        var source = PersistentTrie<Int>()
        for key in 0..<1_000 { source.set(key, key * 3) }
        for _ in 0..<50 { source.set(rng.index(below: 1_000), -1) }   // rewrites, in the trie and the tail
        var target = PersistentTrie<Int>()
        for key in 0..<37 { target.set(key, 7) }
        withUnsafePointer(to: source) { target.assign(from: $0) }
        #expect((0..<1_001).allSatisfy { target.get($0) == source.get($0) })
        #expect(target.prefixValues { $0 } == (0..<1_000).compactMap { source.get($0) })
        target.set(1_000, 5)
        target.set(10, 11)
        #expect(source.get(1_000) == nil && source.get(10) != 11)
        #expect(target.prefixValues { $0 }.count == 1_001)
    }

    /// A particle copied over another with `Model.copy` then moves exactly as a plain copy of
    /// its source does, and moving it leaves the source alone.
    @Test func copiedParticleContinuesLikeItsSource() throws {
        let model = try VMModel(module: HandBuilt.stateSpace(), arguments: [.reals((0..<200).map { 0.01 * Double($0) })])
        var rng = RandomStream(seed: 24)
        var source = model.makeParticle()
        for _ in 0..<70 { _ = try model.advance(&source, using: &rng) }
        var target = model.makeParticle()
        for _ in 0..<5 { _ = try model.advance(&target, using: &rng) }
        model.copy(source, into: &target)
        var plain = source
        var a = RandomStream(seed: 25), b = RandomStream(seed: 25)
        for _ in 0..<40 {
            let x = try model.advance(&target, using: &a), y = try model.advance(&plain, using: &b)
            #expect(x.logWeight == y.logWeight && x.choices.map(\.value) == y.choices.map(\.value))
        }
        #expect(target.observationsPassed == 110 && source.observationsPassed == 70)
        var c = RandomStream(seed: 26), d = RandomStream(seed: 26)
        var again = source
        let x = try model.advance(&source, using: &c), y = try model.advance(&again, using: &d)
        #expect(x.logWeight == y.logWeight)
    }

    @Test func copyingAParticleDoesNotCopyItsHistory() throws {
        let T = 2000
        let model = try VMModel(module: HandBuilt.stateSpace(), arguments: [.reals(Array(repeating: 0.1, count: T))])
        var rng = RandomStream(seed: 22)
        var particle = model.makeParticle()
        var copiedAtStep: [Int: Int] = [:]
        for t in 1...1500 {
            _ = try model.advance(&particle, using: &rng)
            if [50, 500, 1500].contains(t) {
                var copy = particle
                let before = copy.storageNodesCopied
                // 40 steps move at least one full tail of 32 values into the shared trie.
                for _ in 0..<40 { _ = try model.advance(&copy, using: &rng) }
                copiedAtStep[t] = copy.storageNodesCopied - before
                // The original still reads its own history.
                #expect(particle.observationsPassed == t)
                #expect(copy.observationsPassed == t + 40)
            }
        }
        // Extending a shared history copies at most one path of trie nodes (depth + 1 <= 3 for
        // T <= 32^3) plus a tail of at most 32 values: O(log t), not O(t).
        for (_, nodes) in copiedAtStep { #expect(nodes <= 3) }
        #expect(copiedAtStep.count == 3)
        #expect(particle.registerCount < 64)
    }
}
