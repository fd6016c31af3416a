import Foundation
import PPLDiagnostics
import PPLSema
import Testing

/// The posteriordb programs (Programs/posteriordb) and their reference summaries
/// (Tests/PPLTests/Fixtures/posteriordb, made by scripts/references/) fit together:
/// each program checks, binds its parameters from the posterior's data.json, and names
/// every reference address; each reference is converged and agrees with the exact or
/// quadrature values where those exist. The MH comparison itself belongs to the MCMC tests.
@Suite struct PosteriordbReferenceTests {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    /// $PPL_SHARED_DATA/posteriordb, else ../shared/data/posteriordb beside the repository.
    static let dataDirectory = (ProcessInfo.processInfo.environment["PPL_SHARED_DATA"].map { URL(fileURLWithPath: $0) }
        ?? root.deletingLastPathComponent().appendingPathComponent("shared/data"))
        .appendingPathComponent("posteriordb")

    /// The twelve folders of ../shared/data/posteriordb and the parameters its README says each reference covers.
    static let posteriors: [String: [String]] = [
        "sblrc-blr": ["beta", "sigma"],
        "kidiq-kidscore_momhsiq": ["beta", "sigma"],
        "eight_schools-eight_schools_noncentered": ["theta", "mu", "tau"],
        "eight_schools-eight_schools_centered": ["theta", "mu", "tau"],
        "gp_pois_regr-gp_pois_regr": ["rho", "alpha", "f"],
        "arK-arK": ["alpha", "beta", "sigma"],
        "garch-garch11": ["mu", "alpha0", "alpha1", "beta1"],
        "low_dim_gauss_mix-low_dim_gauss_mix": ["mu", "sigma", "theta"],
        "hmm_example-hmm_example": ["theta1", "theta2", "mu"],
        "kilpisjarvi_mod-kilpisjarvi": ["alpha", "beta", "sigma"],
        "wells_data-wells_dist": ["beta"],
        "Rate_1_data-Rate_1_model": ["theta"],
    ]

    static func reference(_ folder: String) throws -> [String: Any] {
        let url = root.appendingPathComponent("Tests/PPLTests/Fixtures/posteriordb/\(folder).json")
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: url))
        return try #require(object as? [String: Any], "\(folder).json is not an object")
    }

    /// The name an address is rooted in: `beta` for `beta[0]`.
    static func rootName(_ address: String) -> String {
        String(address.prefix { $0 != "[" && $0 != "." })
    }

    @Test(arguments: posteriors.keys.sorted())
    func programChecksAndNamesTheReferenceAddresses(folder: String) throws {
        let path = "Programs/posteriordb/\(folder).ppl"
        let text = try String(contentsOf: Self.root.appendingPathComponent(path), encoding: .utf8)
        let (checked, diagnostics) = checkSource(SourceFile(name: path, text: text))
        #expect(diagnostics.isEmpty, "\(path): \(diagnostics)")
        let query = try #require(checked.queries.first, "\(path) has no query")
        #expect(query.engine == "mh")
        #expect(query.declaration.arguments.isEmpty, "\(path): the query should bind its arguments from --data")

        // Every model parameter is a key of the posterior's data.json.
        let model = try #require(checked.models.values.first { $0.symbol == query.model })
        let dataURL = Self.dataDirectory.appendingPathComponent("\(folder)/data.json")
        let data = try #require(JSONSerialization.jsonObject(with: Data(contentsOf: dataURL)) as? [String: Any])
        for parameter in model.parameters {
            #expect(data[parameter.name] != nil, "\(path): parameter \(parameter.name) is not a key of data.json")
        }

        // Every address the reference covers is a latent choice or a reported `let` of the model.
        let reported = Set(checked.symbols.filter {
            ($0.kind == .latent || $0.kind == .reported) && $0.owner == model.declaration
        }.map(\.name))
        let parameters = try #require(try Self.reference(folder)["parameters"] as? [String: Any])
        let roots = Set(parameters.keys.map(Self.rootName))
        #expect(roots == Set(Self.posteriors[folder] ?? []), "\(folder): reference covers \(roots.sorted())")
        for name in roots {
            #expect(reported.contains(name), "\(path) neither draws nor reports \(name)")
        }
    }

    @Test(arguments: posteriors.keys.sorted())
    func referenceIsConverged(folder: String) throws {
        let reference = try Self.reference(folder)
        let method = try #require(reference["method"] as? [String: Any])
        #expect(method["divergences"] as? Int == 0, "\(folder): NUTS divergences")
        let parameters = try #require(reference["parameters"] as? [String: [String: Double]])
        #expect(!parameters.isEmpty)
        for (address, summary) in parameters {
            let sd = try #require(summary["sd"]), mcse = try #require(summary["mcse"])
            #expect(try #require(summary["rhat"]) < 1.01, "\(folder) \(address): R-hat")
            #expect(try #require(summary["ess"]) > 10_000, "\(folder) \(address): bulk ESS")
            #expect(try #require(summary["essTail"]) > 10_000, "\(folder) \(address): tail ESS")
            #expect(sd > 0 && mcse > 0 && mcse < sd / 50, "\(folder) \(address): MCSE \(mcse) against sd \(sd)")
        }
    }

    /// Where the posterior has a closed form or a cheap quadrature, the NUTS means lie within
    /// 4 MCSE of it and the sds within 2% (ESS > 10,000 gives the sd a relative error near 0.7%).
    @Test(arguments: ["Rate_1_data-Rate_1_model", "kidiq-kidscore_momhsiq", "kilpisjarvi_mod-kilpisjarvi",
                      "sblrc-blr", "wells_data-wells_dist"])
    func referenceAgreesWithExactValues(folder: String) throws {
        let reference = try Self.reference(folder)
        let exact = try #require((reference["exact"] as? [String: Any])?["values"] as? [String: [String: Double]])
        let parameters = try #require(reference["parameters"] as? [String: [String: Double]])
        #expect(Set(exact.keys) == Set(parameters.keys))
        for (address, value) in exact {
            let nuts = try #require(parameters[address])
            let mean = try #require(nuts["mean"]), mcse = try #require(nuts["mcse"]), sd = try #require(nuts["sd"])
            let exactMean = try #require(value["mean"]), exactSD = try #require(value["sd"])
            #expect(abs(mean - exactMean) < 4 * mcse, "\(folder) \(address): NUTS \(mean), exact \(exactMean)")
            #expect(abs(sd / exactSD - 1) < 0.02, "\(folder) \(address): NUTS sd \(sd), exact \(exactSD)")
        }
    }

    /// Rate_1 recomputed here from data.json: the NUTS reference matches the conjugate
    /// Beta(1 + k, 1 + n - k) posterior, and the same check (4 MCSE on the mean, 2% on the sd)
    /// rejects the off-by-one posterior Beta(k, 1 + n - k), the negative control.
    @Test func rateReferenceMatchesConjugatePosteriorAndRejectsOffByOne() throws {
        let dataURL = Self.dataDirectory.appendingPathComponent("Rate_1_data-Rate_1_model/data.json")
        let data = try #require(JSONSerialization.jsonObject(with: Data(contentsOf: dataURL)) as? [String: Any])
        let n = Double(try #require(data["n"] as? Int)), k = Double(try #require(data["k"] as? Int))
        let nuts = try #require((try Self.reference("Rate_1_data-Rate_1_model")["parameters"]
            as? [String: [String: Double]])?["theta"])
        let mean = try #require(nuts["mean"]), sd = try #require(nuts["sd"]), mcse = try #require(nuts["mcse"])
        func agrees(a: Double, b: Double) -> Bool {
            let exactMean = a / (a + b)
            let exactSD = (a * b / ((a + b) * (a + b) * (a + b + 1))).squareRoot()
            return abs(mean - exactMean) < 4 * mcse && abs(sd / exactSD - 1) < 0.02
        }
        #expect(agrees(a: 1 + k, b: 1 + n - k))
        #expect(!agrees(a: k, b: 1 + n - k))
    }
}
