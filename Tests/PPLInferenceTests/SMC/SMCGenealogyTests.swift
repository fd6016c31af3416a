import Foundation
import Testing
import PPLDistributions
@testable import PPLInference

@Suite struct SMCGenealogyTests {
    static func record(_ name: String, _ index: Int? = nil, _ value: Value) -> ChoiceRecord {
        var address = Address(name)
        if let index { address = address.appending(index: index) }
        return ChoiceRecord(address: address, value: value, logDensity: -1, support: .real)
    }

    @Test func uniformChunkKeepsOnlyValues() {
        var builder = GenerationChunk.Builder(capacity: 3, keepLogDensities: false)
        builder.appendAbsent()
        builder.append([Self.record("x", 1, .real(0.5))])
        builder.append([Self.record("x", 1, .real(-2))])
        let chunk = builder.build()
        guard case .uniform(let schema) = chunk.storage else { Issue.record("expected uniform storage"); return }
        #expect(schema.addresses == [Address("x").appending(index: 1)])
        #expect(chunk.values == [0, 0.5, -2] && chunk.absent == [true, false, false])
        var seen: [Value] = []
        chunk.forEachRecord(2) { seen.append($0.value) }
        chunk.forEachRecord(0) { seen.append($0.value) }
        #expect(seen == [.real(-2)])
    }

    /// Steps recorded by key keep only values while the keys match; a different key turns the
    /// chunk into records named by the model's descriptions.
    @Test func keyedStepsKeepOnlyValuesUntilTheKeysDiffer() {
        func describe(_ key: ChoiceKey) -> ChoiceDescription {
            ChoiceDescription(address: Address(key.site == 0 ? "x" : "z").appending(index: key.index), support: .real,
                              kind: key.site == 0 ? .real : .int)
        }
        func step(_ keys: [(Int32, Int, Double)]) -> StepRecorder {
            var step = StepRecorder()
            for (site, index, value) in keys { step.record(ChoiceKey(site: site, index: index), value: value, logDensity: -1) }
            return step
        }
        var uniform = GenerationChunk.Builder(capacity: 2, keepLogDensities: true)
        uniform.append(step([(0, 4, 0.5)]), describe: describe)
        uniform.append(step([(0, 4, 1.5)]), describe: describe)
        let chunk = uniform.build()
        guard case .uniform(let schema) = chunk.storage else { Issue.record("expected uniform storage"); return }
        #expect(schema.addresses == [Address("x").appending(index: 4)] && chunk.values == [0.5, 1.5])
        #expect(chunk.logDensities == [-1, -1])

        var mixed = GenerationChunk.Builder(capacity: 2, keepLogDensities: false)
        mixed.append(step([(0, 4, 0.5)]), describe: describe)
        mixed.append(step([(1, 2, 3)]), describe: describe)
        guard case .general(let records) = mixed.build().storage else { Issue.record("expected general storage"); return }
        #expect(records.map { $0.map(\.address.description) } == [["x[4]"], ["z[2]"]])
        #expect(records[1][0].value == .int(3))
    }

    /// A particle whose choices differ (stochastic control flow) turns the chunk into records, losing nothing.
    @Test func mixedChoicesFallBackToRecords() {
        var builder = GenerationChunk.Builder(capacity: 4, keepLogDensities: true)
        builder.append([Self.record("x", 1, .real(0.5))])
        builder.appendAbsent()
        builder.append([Self.record("z", nil, .int(3)), Self.record("x", 1, .real(1))])
        builder.append([Self.record("x", 1, .real(2))])
        let chunk = builder.build()
        guard case .general(let records) = chunk.storage else { Issue.record("expected general storage"); return }
        #expect(records.map { $0.map(\.value) } == [[.real(0.5)], [], [.int(3), .real(1)], [.real(2)]])
        #expect(records[0][0].logDensity == -1)
    }

    /// Paths walk ancestors back; an override from a move wins over the older value, and a removal hides it.
    @Test func pathsFollowAncestorsAndOverrides() {
        let genealogy = Genealogy(particleCount: 2, blockSize: 1)
        func step(_ t: Int, _ a: Double, _ b: Double) -> [GenerationChunk] {
            [a, b].map { x in
                var builder = GenerationChunk.Builder(capacity: 1, keepLogDensities: false)
                builder.append([Self.record("x", t, .real(x))])
                return builder.build()
            }
        }
        genealogy.append(parents: nil, chunks: step(0, 10, 20), overrides: [:])
        genealogy.append(parents: [1, 1], chunks: step(1, 11, 21), overrides: [:])
        let moved = Self.record("x", 0, .real(99))
        genealogy.append(parents: [0, 1], chunks: step(2, 12, 22),
                         overrides: [0: [Genealogy.Override(address: moved.address, record: moved)],
                                     1: [Genealogy.Override(address: Address("x").appending(index: 1), record: nil)]])
        let (columns, _, draws) = genealogy.draws()
        #expect(columns.map(\.description) == ["x[0]", "x[1]", "x[2]"])
        #expect(draws[0] == [99, 20])           // particle 0's x[0] was moved; particle 1 descends from 20
        #expect(draws[1][0] == 11 && draws[1][1].isNaN)   // particle 1's x[1] was removed by its move
        #expect(draws[2] == [12, 22])
        let path = genealogy.path(of: 0)
        #expect(Dictionary(uniqueKeysWithValues: path.map { ($0.address.description, $0.value) })
                == ["x[0]": .real(99), "x[1]": .real(11), "x[2]": .real(12)])
        #expect(genealogy.distinctRoots() == 1)
    }
}
