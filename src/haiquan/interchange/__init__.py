"""Interchange: UN/EDIFACT and WCO Data Model XML messages in and out (issue #18).

The EDIFACT core, generic for every message type:
- `edifact.parse(text)` reads an interchange (UNA/UNB/UNH/UNT/UNZ) into `Interchange` → `Message` →
  `Segment`s, each segment carrying its position (UNH = 1 within a message, as CONTRL counts);
- `envelope.check(interchange)` checks the service segments (syntax identifier, UNT segment count, UNZ
  message count, control references);
- `errors.EdifactError` names the segment tag, its position, the element and the component (problem+json
  field `segment 7 (DTM), element 1, component 2`) with the ISO 9735 syntax error code (0085);
- `writer.write(...)` writes segments and interchanges (escaping with the release character);
- `contrl.acknowledge` / `contrl.reject` write the CONTRL syntax acceptance or rejection.
Message mappings (CUSDEC/CUSRES here; PAXLST/CUSCAR by the conveyances module) read `Message.segments`
with `Segment.value(element, component)` and raise `EdifactError.at(segment, ...)`."""
