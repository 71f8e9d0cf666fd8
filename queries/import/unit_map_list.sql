-- purpose: the stored unit map (单位对照) as the upload page lists it: which old name or code
--          now belongs to which unit, and the batch that said so (rolled back with it).
-- row:     one mapping: old and new unit as written in the map, where each key points
--          (单位编码 … or the 地区 of a name-keyed unit), the batch and when and by whom.
-- params:  none.
SELECT m.old_name, m.new_name,
       CASE WHEN starts_with(m.old_key, 'code:') THEN '单位编码 ' || substr(m.old_key, 6)
            WHEN contains(m.old_key, '|') THEN split_part(substr(m.old_key, 6), '|', 1)
            ELSE '' END AS old_where,
       CASE WHEN starts_with(m.new_key, 'code:') THEN '单位编码 ' || substr(m.new_key, 6)
            WHEN contains(m.new_key, '|') THEN split_part(substr(m.new_key, 6), '|', 1)
            ELSE '' END AS new_where,
       m.batch_id, b.file_name, b.imported_at, b.imported_by
FROM unit_map m JOIN import_batch b USING (batch_id)
ORDER BY m.batch_id DESC, m.old_name;
