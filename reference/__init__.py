"""The reference layer: the national public toilet standard data (공중화장실정보), imported and matched
to the published toilets. Plain functions taking the session; never imports `api/`."""
