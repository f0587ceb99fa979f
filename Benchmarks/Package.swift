// swift-tools-version: 6.1
import PackageDescription

/// The benchmarks of ioc-stream, kept in their own package (as swift-nio and swift-log do) so that the main
/// package does not depend on package-benchmark. Run them with `swift package benchmark` from this folder; see
/// README.md.
let package = Package(
    name: "IOCBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        // The malloc interposer gives the `malloc*` metrics on Swift 6.3; naming the trait also leaves the
        // default `RuntimeInterposer` trait (and its extra dependency) off.
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
        .package(name: "ioc-stream", path: ".."),
    ],
    targets: [
        .executableTarget(
            name: "IOCBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "IOCCore", package: "ioc-stream"),
            ],
            path: "Benchmarks/IOCBenchmarks",
            plugins: [
                .plugin(name: "BenchmarkPlugin", package: "benchmark")
            ]
        )
    ]
)
