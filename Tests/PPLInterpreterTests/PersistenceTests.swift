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
