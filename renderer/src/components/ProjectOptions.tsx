/** <option>s for a project select, after whatever first option ("All projects", "No project") it offers. */
export function ProjectOptions({ projects }: { projects: readonly { id: string; name: string }[] | undefined }) {
  return (
    <>
      {(projects ?? []).map((p) => (
        <option key={p.id} value={p.id}>
          {p.name}
        </option>
      ))}
    </>
  );
}
