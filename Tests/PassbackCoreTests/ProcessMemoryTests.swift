import Foundation
import Testing

@testable import PassbackCore

#if canImport(Glibc)
import Glibc
#endif

/// Memory a large course frees goes back to the system (``ProcessMemory``, issue 12).
@Suite(.serialized) struct ProcessMemoryTests {
    /// Whether the page at `address` is mapped in the process (`mincore` fails with ENOMEM on
    /// an address that is not).
    static func isMapped(_ address: UnsafeMutableRawPointer) -> Bool {
        let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))
        let page = UnsafeMutableRawPointer(bitPattern: Int(bitPattern: address) & ~(pageSize - 1))!
        var resident: UInt8 = 0
        return mincore(page, pageSize, &resident) == 0
    }

    @Test func blocksFreedAfterALargeOneGoBackToTheSystem() {
        ProcessMemory.returnLargeBlocksToTheSystem()
        // A section's history record freed: glibc's default would now take every block under
        // 24 MB from its heap, where a freed block stays mapped.
        let record = malloc(24 << 20)!
        memset(record, 1, 24 << 20)
        free(record)
        var blocks: [UnsafeMutableRawPointer] = []
        for _ in 0..<96 {
            let block = malloc(1 << 20)!
            memset(block, 1, 1 << 20)
            blocks.append(block)
        }
        #expect(blocks.allSatisfy(Self.isMapped))
        // Given back: unmapped as soon as it is freed (other tests' threads may map something at
        // the same address in between, rarely).
        var stillMapped = 0
        for block in blocks {
            free(block)
            if Self.isMapped(block) { stillMapped += 1 }
        }
        #expect(stillMapped < 48, "\(stillMapped) of 96 freed 1 MB blocks are still mapped")
    }
}
