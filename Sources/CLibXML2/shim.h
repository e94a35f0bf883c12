#ifndef PASSBACK_CLIBXML2_SHIM_H
#define PASSBACK_CLIBXML2_SHIM_H

// Debian's libxml2 is built with ICU; Foundation ships its own ICU headers, and a Swift file that
// imports both fails to build in debug ('UErrorCode' has different definitions). Nothing here
// needs libxml2's ICU API.
#include <libxml/xmlversion.h>
#undef LIBXML_ICU_ENABLED

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlreader.h>
#include <libxml/xmlwriter.h>
#include <libxml/xmlschemas.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlstring.h>

/// `xmlFree` is a C global function pointer, which Swift 6 strict concurrency rejects; this
/// wrapper is an ordinary function.
static inline void passback_xmlFree(void *pointer) {
    xmlFree(pointer);
}

#endif
