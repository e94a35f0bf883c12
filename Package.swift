// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "passback",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "passback", targets: ["passback"]),
        .library(name: "PassbackCore", targets: ["PassbackCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
        // `passback fetch`: the HTTP client (PassbackCanvasHTTP). SwiftNIO comes with it; it is
        // named for the client's errors and, in tests and the fetch benchmark only, for the fake
        // Canvas's server (FakeCanvas: NIOHTTP1 directly, no web framework to build in CI).
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        // The staff pages' HTML (reports/<run>.html): templates whose values are escaped.
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
    ],
    targets: [
        // libxml2 as Debian packages it (`libxml2-dev`): the streaming writer, XSD validation and
        // the safe reader for untrusted category XML.
        .systemLibrary(
            name: "CLibXML2",
            pkgConfig: "libxml-2.0",
            providers: [.apt(["libxml2-dev"])]
        ),
        // OpenSSL's libcrypto as Debian packages it (`libssl-dev`): SHA-256 of dropped files. Not
        // swift-crypto, which builds its own BoringSSL on Linux for this one hash.
        .systemLibrary(
            name: "CLibCrypto",
            pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"])]
        ),
        .target(
            name: "PassbackCore",
            dependencies: [
                "CLibXML2",
                "CLibCrypto",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "TOMLKit", package: "TOMLKit"),
                .product(name: "Mustache", package: "swift-mustache"),
            ],
            // The XSDs are compiled into the binary (an installed passback needs no files beside
            // it) from `schemas/` itself, through the `Schemas` link: one copy to edit.
            exclude: ["Schemas/README.md"],
            resources: [
                .embedInCode("Schemas/aspire-passback-1.xsd"),
                .embedInCode("Schemas/aspire-categories-1.xsd"),
            ]
        ),
        // PassbackCore's CanvasTransport over AsyncHTTPClient, for `passback fetch`: a target of
        // its own so that PassbackCore (and the libFuzzer build of it) does not depend on SwiftNIO.
        .target(
            name: "PassbackCanvasHTTP",
            dependencies: [
                "PassbackCore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        .executableTarget(
            name: "passback",
            dependencies: [
                "PassbackCore",
                "PassbackCanvasHTTP",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // libFuzzer targets for the readers of untrusted input (`scripts/fuzz`); a normal build
        // makes a replay tool of it: `PassbackFuzz TARGET FILE...`.
        .executableTarget(
            name: "PassbackFuzz",
            dependencies: ["PassbackCore"]
        ),
        // Throughput of the readers on a folder of bundles, for docs/PERFORMANCE.md.
        .executableTarget(
            name: "PassbackStageBench",
            dependencies: ["PassbackCore"]
        ),
        // A fake Canvas REST API on loopback (SwiftNIO's HTTP/1.1 server), serving courses shaped like real
        // Canvas answers, with Link pagination, rate-limit headers and scripted faults: for the
        // fetch tests, and `PassbackFakeCanvas` for the fetch benchmark and trying by hand.
        .target(
            name: "FakeCanvas",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        .executableTarget(
            name: "PassbackFakeCanvas",
            dependencies: ["FakeCanvas"]
        ),
        .testTarget(
            name: "PassbackCoreTests",
            dependencies: ["PassbackCore", "CLibXML2"],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(
            name: "PassbackCLITests",
            dependencies: ["PassbackCore", "passback"],
            resources: [.copy("Golden")]
        ),
        .testTarget(
            name: "PassbackFetchTests",
            dependencies: ["PassbackCore", "PassbackCanvasHTTP", "FakeCanvas", "passback"]
        ),
    ]
)
