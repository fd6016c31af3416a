import Foundation
import PPL
import PPLDistributions
import PPLInference
import PPLInterpreter

/// Runs Programs/posteriordb/FOLDER.ppl under MH with the file's own `mh(...)` options and compares
/// each parameter with Tests/PPLTests/Fixtures/posteriordb/FOLDER.json (NumPyro NUTS references):
/// mean within 4 MCSE (ours), sd within 15%; a mismatch is acceptable only when the run warns.
struct PosteriorDBCheck {
    let root: URL

    struct Reference: Decodable {
        struct Parameter: Decodable { var mean: Double; var sd: Double }
        var parameters: [String: Parameter]
    }

    func run(_ folder: String, seed: UInt64) async throws -> String {
        let program = try PPLProgram(contentsOf: root.appendingPathComponent("Programs/posteriordb/\(folder).ppl").path)
        guard var query = try program.queries().first else { return "\(folder): no query" }
        let dataURL = root.deletingLastPathComponent().appendingPathComponent("shared/data/posteriordb/\(folder)/data.json")
        let fallback = URL(fileURLWithPath: "/work/shared/data/posteriordb/\(folder)/data.json")
        let data = try Data(contentsOf: FileManager.default.fileExists(atPath: dataURL.path) ? dataURL : fallback)
        let fields = try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
        try program.bind(data: fields, source: "data.json", to: &query)
        let model = try VMModel(module: program.module(for: query.model), bindings: query.arguments)
        func option(_ name: String) -> Int? {
            if case .number(let x)? = query.engine.options[name] { return Int(x) }
            return nil
        }
        let mh = MetropolisHastings(samples: option("samples") ?? 1_000, warmup: option("warmup"),
                                    thin: option("thin") ?? 1, chains: option("chains") ?? 4, seed: seed)
        let started = Date()
        let posterior = try await mh.run(model)
        let elapsed = Date().timeIntervalSince(started)
        let referenceURL = root.appendingPathComponent("Tests/PPLTests/Fixtures/posteriordb/\(folder).json")
        guard let referenceData = try? Data(contentsOf: referenceURL) else {
            return "\(folder): no reference; \(posterior.diagnostics.warnings.count) warnings"
        }
        let reference = try JSONDecoder().decode(Reference.self, from: referenceData)
        var matched = 0
        var worstZ = 0.0
        var worstSD = 0.0
        var missing: [String] = []
        for (name, expected) in reference.parameters {
            guard let address = try? Address(parsing: name), let c = posterior.columnIndex(of: address) else {
                missing.append(name)
                continue
            }
            let s = posterior.summary(column: c)
            let z = abs((s.mean ?? .nan) - expected.mean) / (s.mcse ?? .nan)
            let sdError = abs((s.sd ?? .nan) / expected.sd - 1)
            worstZ = max(worstZ, z.isNaN ? .infinity : z)
            worstSD = max(worstSD, sdError.isNaN ? .infinity : sdError)
            if z <= 4 && sdError <= 0.15 { matched += 1 }
        }
        let total = reference.parameters.count
        let flagged = !posterior.diagnostics.warnings.isEmpty
        let verdict = matched == total && missing.isEmpty ? "matches" : (flagged ? "flagged" : "WRONG, NOT FLAGGED")
        return String(format: "%@ | %d/%d | %.1f | %.0f%% | %@ | %@ | %.0fs", folder, matched, total, worstZ, 100 * worstSD,
                      flagged ? "yes" : "no", verdict, elapsed)
            + (missing.isEmpty ? "" : " (no column for \(missing.prefix(3).joined(separator: ", ")))")
    }
}
