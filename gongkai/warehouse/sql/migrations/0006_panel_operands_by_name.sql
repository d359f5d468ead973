-- 0006_panel_operands_by_name: panel_inputs.panel_cells names each stored operand by its cell
-- ('t3.carried_over.total') instead of its position in a Python tuple, and panel_keys lists the operands
-- captured when the row was written: a run that needs an operand a row lacks (an operand added to
-- gongkai.warehouse.panel.operands after the row was written) recomputes that row from cells instead of
-- reading the operand as missing. Rows written before this migration held the 20 operands below, in
-- this order (k = position).

ALTER TABLE panel_inputs ALTER panel_cells TYPE STRUCT(key VARCHAR, value DOUBLE, semantic VARCHAR, raw VARCHAR)[]
USING list_transform(panel_cells, lambda x: struct_pack(
    key := [
        't3.carried_over.natural_person', 't3.carried_over.commercial', 't3.carried_over.research', 't3.carried_over.social_welfare',
        't3.carried_over.legal_services', 't3.carried_over.other_org', 't3.carried_over.total', 't3.carried_forward.natural_person',
        't3.carried_forward.commercial', 't3.carried_forward.research', 't3.carried_forward.social_welfare', 't3.carried_forward.legal_services',
        't3.carried_forward.other_org', 't3.carried_forward.total', 't2.regulations.issued', 't2.regulations.repealed',
        't2.regulations.in_force', 't2.normative_docs.issued', 't2.normative_docs.repealed', 't2.normative_docs.in_force'
    ][x.k + 1],
    value := x.value, semantic := x.semantic, raw := x.raw));

ALTER TABLE panel_inputs ADD COLUMN panel_keys VARCHAR[];
UPDATE panel_inputs SET panel_keys = [
    't3.carried_over.natural_person', 't3.carried_over.commercial', 't3.carried_over.research', 't3.carried_over.social_welfare',
    't3.carried_over.legal_services', 't3.carried_over.other_org', 't3.carried_over.total', 't3.carried_forward.natural_person',
    't3.carried_forward.commercial', 't3.carried_forward.research', 't3.carried_forward.social_welfare', 't3.carried_forward.legal_services',
    't3.carried_forward.other_org', 't3.carried_forward.total', 't2.regulations.issued', 't2.regulations.repealed',
    't2.regulations.in_force', 't2.normative_docs.issued', 't2.normative_docs.repealed', 't2.normative_docs.in_force'
];
