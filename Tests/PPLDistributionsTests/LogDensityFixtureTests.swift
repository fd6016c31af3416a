import Testing
import Foundation
@testable import PPLDistributions

/// Log densities against mpmath at 50 digits (scripts/fixtures/distributions_logpdf.py).
@Suite struct LogDensityFixtureTests {
    struct Case {
        var family: Family
        var args: [Value]
        var x: Value
        var expected: Double
    }

    static func load() throws -> [Case] {
        let url = try #require(Bundle.module.url(forResource: "logdensity", withExtension: "json", subdirectory: "Fixtures"))
        let root = try #require(JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        let cases = try #require(root["cases"] as? [[String: Any]])
        return try cases.map { entry in
            let name = try #require(entry["family"] as? String)
            let family = try #require(Catalogue.family(named: name), "unknown family \(name)")
            let args = try #require(entry["args"] as? [Any])
            #expect(args.count == family.parameters.count, "\(name)")
            let values = try zip(args, family.parameters).map { try value($0, as: $1.type) }
            return Case(family: family, args: values, x: try value(try #require(entry["x"]), as: family.drawType),
                        expected: try #require(entry["logDensity"] as? Double))
        }
    }

    static func value(_ json: Any, as type: ValueType) throws -> Value {
        switch type {
        case .real: return .real(try #require(json as? Double))
        case .int, .bool: return .int(try #require(json as? Int))
        case .array(let element): return .array(try #require(json as? [Any]).map { try value($0, as: element) })
        case .matrix:
            let rows = try #require(json as? [[Double]])
            return .matrix(Matrix(rows: rows.count, columns: rows.first?.count ?? 0, elements: rows.flatMap { $0 }))
        }
    }

    /// 1e-10 relative, or 1e-12 absolute where the reference is near zero.
    static func agrees(_ actual: Double, _ expected: Double) -> Bool {
        abs(actual - expected) <= max(1e-10 * abs(expected), 1e-12)
    }

    @Test func everyFamilyHasAtLeastEightReferencePoints() throws {
        let cases = try Self.load()
        for id in FamilyID.allCases {
            let count = cases.filter { $0.family.id == id }.count
            #expect(count >= 8, "\(id.family.name) has \(count) reference points")
        }
    }

    @Test func logDensitiesMatchMpmath() throws {
        for c in try Self.load() {
            let d = try c.family.make(c.args)
            let actual = d.logDensity(c.x)
            #expect(Self.agrees(actual, c.expected),
                    "\(c.family.name)\(c.args) at \(c.x): got \(actual), mpmath \(c.expected), relative error \(abs(actual - c.expected) / abs(c.expected))")
        }
    }

    @Test func scalarFastPathMatchesMpmath() throws {
        for c in try Self.load() where c.family.id.isScalar {
            let p = c.args.map { $0.asReal ?? .nan } + [0, 0, 0]
            let d = try ScalarDistribution.make(c.family.id, p[0], p[1], p[2])
            let actual = d.logDensity(try #require(c.x.asReal))
            #expect(Self.agrees(actual, c.expected), "\(c.family.name)\(c.args) at \(c.x): got \(actual), mpmath \(c.expected)")
        }
    }
}
