//! Chat replay aligned to an IVS recording timeline: JSON, WebVTT, SRT, ASS, HTML preview.
