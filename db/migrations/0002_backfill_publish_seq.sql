-- Custom SQL migration file, put your code below! --
-- Revisions approved before the change log existed join it in the order they were written.
UPDATE `revisions` SET `publish_seq` = (
  SELECT count(*) FROM `revisions` AS `earlier`
  WHERE `earlier`.`state` = 'approved' AND `earlier`.`id` <= `revisions`.`id`
) WHERE `state` = 'approved';
