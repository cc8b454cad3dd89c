-- A replay (POST /runs/{id}/replay) is a new run of the same workflow version that reuses the
-- recorded outputs of the nodes before `from_step`: `replay_of` names the run it replays, and the
-- reused nodes are copied into its `run_steps` with `reused` set (the runner does not call them).
ALTER TABLE runs ADD COLUMN replay_of uuid REFERENCES runs (id) ON DELETE SET NULL;
ALTER TABLE run_steps ADD COLUMN reused boolean NOT NULL DEFAULT false;
-- Deleting (pruning) runs checks this reference: the index keeps that a lookup, not a scan.
CREATE INDEX runs_replay_of_idx ON runs (replay_of) WHERE replay_of IS NOT NULL;
