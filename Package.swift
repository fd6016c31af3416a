// swift-tools-version: 6.0
// The pipeline of ../shared/DESIGN.md, one target per stage; arrows are imports.
import PackageDescription

// The distributions, the engines and the VM are optimised even in debug builds: the
// statistical tests (posteriordb under MH, SBC) run them for millions of steps, about 10x
// faster with -O (the whole suite: 112 s instead of about 3.5 min). The cost: a clean debug
// build of these targets takes 88 s of CPU instead of 27 s, and they debug less well.
let optimisedInDebug: [SwiftSetting] = [.unsafeFlags(["-O"], .when(configuration: .debug))]

let package = Package(
    name: "PPL",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "PPL", targets: ["PPL"]),
        .executable(name: "ppl", targets: ["ppl"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CGSL",
            pkgConfig: "gsl",
            providers: [.apt(["libgsl-dev"])]
        ),
        .systemLibrary(
            name: "CEditLine",
            pkgConfig: "libedit",
            providers: [.apt(["libedit-dev"])]
        ),
        .target(name: "PPLDiagnostics"),
        .target(name: "PPLDistributions", dependencies: ["CGSL"],
                swiftSettings: optimisedInDebug),
        .target(name: "PPLSyntax", dependencies: ["PPLDiagnostics"]),
        .target(name: "PPLIR", dependencies: ["PPLDiagnostics", "PPLDistributions"]),
        .target(name: "PPLSema", dependencies: ["PPLSyntax", "PPLIR", "PPLDistributions"]),
        .target(name: "PPLPasses", dependencies: ["PPLIR", "PPLDiagnostics", "PPLDistributions"]),
        .target(name: "PPLInference", dependencies: ["PPLDistributions", "CGSL"],
                swiftSettings: optimisedInDebug),
        .target(name: "PPLInterpreter", dependencies: ["PPLIR", "PPLInference"],
                swiftSettings: optimisedInDebug),
        .target(name: "PPL", dependencies: [
            "PPLDiagnostics", "PPLSyntax", "PPLSema", "PPLIR", "PPLPasses",
            "PPLDistributions", "PPLInference", "PPLInterpreter",
        ]),
        .executableTarget(name: "ppl-frontend-bench", dependencies: ["PPLSema"],
                          path: "Benchmarks/frontend/Sources"),
        .executableTarget(name: "ppl", dependencies: [
            "PPL", "PPLInference", "CEditLine",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        .executableTarget(name: "PPLBenchMCMC",
                          dependencies: ["PPL", "PPLInterpreter", "PPLInference", "PPLDistributions"],
                          path: "Benchmarks/mcmc/Swift"),
        .executableTarget(name: "PPLBenchDistributions", dependencies: ["PPLDistributions"],
                          path: "Benchmarks/distributions/Swift"),
        .executableTarget(name: "PPLBenchGibbs",
                          dependencies: ["PPLDiagnostics", "PPLSema", "PPLIR", "PPLPasses", "PPLInterpreter", "PPLInference"],
                          path: "Benchmarks/gibbs/Swift"),
        .executableTarget(name: "PPLBenchVM",
                          dependencies: ["PPLInterpreter", "PPLSema", "PPLSyntax", "PPLInference", "PPLDistributions"],
                          path: "Benchmarks/vm/Swift"),

        // Benchmarks/smc/run.sh: PPL's SMC engine vs a C bootstrap filter and `particles`.
        .executableTarget(name: "smc-bench", dependencies: ["PPL", "PPLInference", "PPLInterpreter", "PPLDistributions"],
                          path: "Benchmarks/smc/Swift"),

        .testTarget(name: "PPLDiagnosticsTests", dependencies: ["PPLDiagnostics"]),
        .testTarget(name: "PPLDistributionsTests", dependencies: ["PPLDistributions"],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "PPLSyntaxTests", dependencies: ["PPLSyntax"], exclude: ["Golden"]),
        .testTarget(name: "PPLSemaTests", dependencies: ["PPLSema", "PPLSyntax"], exclude: ["Golden"]),
        .testTarget(name: "PPLIRTests", dependencies: ["PPLIR", "PPLSema", "PPLSyntax"],
                    resources: [.copy("Golden")]),
        .testTarget(name: "PPLPassesTests", dependencies: ["PPLPasses", "PPLSema", "PPLSyntax", "PPLInterpreter", "PPLInference"]),
        .testTarget(name: "PPLInferenceTests", dependencies: ["PPLInference"],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "PPLInterpreterTests", dependencies: ["PPLInterpreter", "PPLSema", "PPLSyntax"]),
        .testTarget(name: "PPLTests", dependencies: ["PPL"]),
        .testTarget(name: "pplTests", dependencies: ["ppl"]),
    ]
)
